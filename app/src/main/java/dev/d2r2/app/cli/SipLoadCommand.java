package dev.d2r2.app.cli;

import dev.d2r2.core.Durations;
import dev.d2r2.core.HostPort;
import dev.d2r2.sip.load.SipLoad;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.Locale;
import java.util.concurrent.Callable;

/** {@code d2r2 sip-load}: legitimate calls and, optionally, a flood from many sources. */
@Command(name = "sip-load", mixinStandardHelpOptions = true,
        description = "SIP traffic over UDP: registered users calling at a rate, and attackers flooding INVITE or REGISTER from"
                + " many 127.x.y.z addresses. Prints the success ratio per class and setup times; exit 1 when a legitimate"
                + " call failed.")
public final class SipLoadCommand implements Callable<Integer> {
    @Option(names = "--target", paramLabel = "HOST:PORT", required = true) String target;

    @Option(names = "--rate", defaultValue = "50", description = "Legitimate calls a second (${DEFAULT-VALUE})") double rate;

    @Option(names = "--call-length", paramLabel = "DURATION", defaultValue = "2s", description = "(${DEFAULT-VALUE})")
    String callLength;

    @Option(names = "--users", defaultValue = "100", description = "Users registered before calling (${DEFAULT-VALUE})") int users;

    @Option(names = "--flood-rate", defaultValue = "0", description = "Attack requests a second (0: none)") double floodRate;

    @Option(names = "--flood-sources", defaultValue = "500", description = "Distinct attacking addresses (${DEFAULT-VALUE})")
    int floodSources;

    @Option(names = "--flood-method", defaultValue = "INVITE", description = "INVITE or REGISTER (${DEFAULT-VALUE})")
    String floodMethod;

    @Option(names = "--duration", paramLabel = "DURATION", defaultValue = "10s", description = "(${DEFAULT-VALUE})")
    String duration;

    @Override
    public Integer call() throws Exception {
        String method = floodMethod.toUpperCase(Locale.ROOT);
        if (!method.equals("INVITE") && !method.equals("REGISTER")) {
            throw new IllegalArgumentException("--flood-method must be INVITE or REGISTER");
        }
        if (rate < 0 || floodRate < 0 || users < 0 || floodSources < 1 || floodSources > 65_025 * 254) {
            throw new IllegalArgumentException("rates and users cannot be negative; --flood-sources is 1 to 16516350");
        }
        SipLoad.Report r = new SipLoad(new SipLoad.Plan(HostPort.parse(target), rate, Durations.parse(callLength), users,
                floodRate, floodSources, method, Durations.parse(duration))).run();
        System.out.println(r);
        return r.callsOk() == r.calls() ? 0 : CliErrors.RUNTIME_FAILURE;
    }
}
