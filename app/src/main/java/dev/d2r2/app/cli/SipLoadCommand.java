package dev.d2r2.app.cli;

import dev.d2r2.core.Durations;
import dev.d2r2.core.HostPort;
import dev.d2r2.sip.load.CallRate;
import dev.d2r2.sip.load.SipLoad;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.File;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/** {@code d2r2 sip-load}: legitimate calls and, optionally, a flood from many sources. */
@Command(name = "sip-load", mixinStandardHelpOptions = true,
        description = "SIP traffic over UDP: registered users calling at a rate, and attackers flooding INVITE or REGISTER from"
                + " many 127.x.y.z addresses. Prints the success ratio per class and setup times; exit 1 when a legitimate"
                + " call failed. The callers' rate changes while it runs: keys on stdin (+/- by 1 call/s, * and / by 10,"
                + " p pause/resume, q quit once the calls in progress are over) and a scripted --ramp.")
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

    @Option(names = "--ramp", paramLabel = "AT:RATE,...", description = "Scripted rate changes, e.g. 5s:250,15s:50: from 5 s on"
            + " 250 calls/s, from 15 s on 50 (the rate before the first step is --rate)")
    String ramp;

    @Option(names = "--keys", negatable = true, description = "Read rate keys from stdin (default: when stdin is a terminal)")
    Boolean keys;

    @Override
    public Integer call() throws Exception {
        String method = floodMethod.toUpperCase(Locale.ROOT);
        if (!method.equals("INVITE") && !method.equals("REGISTER")) {
            throw new IllegalArgumentException("--flood-method must be INVITE or REGISTER");
        }
        if (rate < 0 || floodRate < 0 || users < 0 || floodSources < 1 || floodSources > 65_025 * 254) {
            throw new IllegalArgumentException("rates and users cannot be negative; --flood-sources is 1 to 16516350");
        }
        CallRate callRate = new CallRate(rate, ramp == null ? List.of() : CallRate.parseRamp(ramp));
        SipLoad.Plan plan = new SipLoad.Plan(HostPort.parse(target), rate, Durations.parse(callLength), users, floodRate,
                floodSources, method, Durations.parse(duration));
        boolean terminal = System.console() != null && System.console().isTerminal();
        if (keys != null ? keys : terminal) {
            readKeys(callRate, terminal);
        }
        SipLoad.Report r = new SipLoad(plan, (started, outcome, setup) -> { }, callRate,
                change -> System.err.println("sip-load: " + change)).run();
        System.out.println(r);
        return r.callsOk() == r.calls() ? 0 : CliErrors.RUNTIME_FAILURE;
    }

    /** Keys from stdin on a thread of their own; a terminal is put in character mode (no Enter needed) until the JVM exits. */
    private static void readKeys(CallRate callRate, boolean terminal) {
        if (terminal) {
            stty("-icanon", "-echo", "min", "1");
            Runtime.getRuntime().addShutdownHook(new Thread(() -> stty("icanon", "echo")));
            System.err.println("sip-load: keys: + - (1 call/s)  * / (10 calls/s)  p pause/resume  q quit");
        }
        Thread.ofVirtual().name("sip-load-keys").start(() -> {
            try {
                int c;
                while ((c = System.in.read()) >= 0) {
                    String did = callRate.key((char) c);
                    if (did != null) {
                        System.err.println("sip-load: " + did);
                    }
                }
            } catch (IOException e) {
                System.err.println("sip-load: stdin: " + e.getMessage() + "; keys no longer read");
            }
        });
    }

    private static void stty(String... args) {
        List<String> command = new ArrayList<>(List.of("stty"));
        command.addAll(List.of(args));
        try {
            new ProcessBuilder(command).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/tty"))).start().waitFor();
        } catch (IOException e) {
            System.err.println("sip-load: stty: " + e.getMessage() + "; press Enter after each key");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
