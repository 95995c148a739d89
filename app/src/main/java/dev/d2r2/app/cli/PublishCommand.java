package dev.d2r2.app.cli;

import dev.d2r2.broker.BrokerClient;
import dev.d2r2.broker.Publisher;
import dev.d2r2.core.EventCodec;
import dev.d2r2.core.EventFormatException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeoutException;

/**
 * {@code d2r2 publish --channel C}: publishes JSON Lines events from stdin. A line that is not
 * an event is reported as {@code stdin:LINE:COL: why} and skipped; the exit code is then 2.
 */
@Command(name = "publish", mixinStandardHelpOptions = true,
        description = "Publish JSON Lines events from stdin on a channel; waits until the broker acknowledged all.")
public final class PublishCommand implements Callable<Integer> {
    @Mixin ClientOptions client;

    @Option(names = "--channel", required = true, paramLabel = "TAG") String channel;

    @Option(names = "--timeout", paramLabel = "DURATION", defaultValue = "30s",
            description = "How long to wait for the last acknowledgement (default ${DEFAULT-VALUE})")
    String timeout;

    @Override
    public Integer call() throws IOException, TimeoutException {
        int bad = 0;
        long published = 0;
        long last = 0;
        try (BrokerClient c = client.connect(); Publisher p = c.publisher(channel)) {
            BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            String line;
            int n = 0;
            while ((line = in.readLine()) != null) {
                n++;
                if (line.isBlank()) {
                    continue;
                }
                byte[] bytes = line.getBytes(StandardCharsets.UTF_8);
                try {
                    EventCodec.decode(bytes, 0, bytes.length);
                } catch (EventFormatException e) {
                    System.err.println("stdin:" + n + ":" + e.getMessage().replaceFirst("^col ", ""));
                    bad++;
                    continue;
                }
                last = p.publish(bytes);
                published++;
            }
            if (last > 0) {
                p.awaitAcknowledged(last, dev.d2r2.core.Durations.parse(timeout));
            }
        }
        System.err.printf("published %d events on %s%s%n", published, channel, bad > 0 ? ", skipped " + bad + " bad lines" : "");
        return bad > 0 ? 2 : 0;
    }

}
