package dev.d2r2.policy.actuator;

import dev.d2r2.core.actuator.Action;
import dev.d2r2.core.actuator.Actuator;
import dev.d2r2.core.actuator.ActuatorException;
import dev.d2r2.core.actuator.http.WebhookCall;
import dev.d2r2.core.config.InvalidAt;
import dev.d2r2.policy.Template;
import dev.d2r2.policy.config.ActuatorConfig;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Runs a program for each deploy and revoke. Its arguments may use {@code ${call}} (deploy or
 * revoke), {@code ${id}}, {@code ${op}}, {@code ${target}} and {@code ${expires}}; the same and
 * the params are in its environment ({@code D2R2_CALL}, ..., {@code D2R2_PARAM_RATE}) and the
 * action as JSON on its stdin. Exit 0 means done, exit 2 refused (not retried), anything else or
 * overrunning the timeout failed (retried).
 */
public final class CommandActuator implements Actuator {
    static final Set<String> VARIABLES = Set.of("call", "id", "op", "target", "expires");
    private final List<Template> argv;
    private final Duration timeout;

    CommandActuator(ActuatorConfig c) {
        this.argv = c.command().stream().map(a -> Template.parse(a, VARIABLES)).toList();
        this.timeout = c.timeout();
    }

    @Override
    public void deploy(Action a) throws ActuatorException {
        run(WebhookCall.deploy(a));
    }

    @Override
    public void revoke(Action a) throws ActuatorException {
        run(WebhookCall.revoke(a));
    }

    private void run(WebhookCall call) throws ActuatorException {
        Action a = call.action();
        Map<String, String> vars = Map.of("call", call.call(), "id", a.id(), "op", a.op(), "target", a.target(),
                "expires", Long.toString(a.expires()));
        List<String> args = new ArrayList<>();
        for (Template t : argv) {
            args.add(t.fill(vars));
        }
        ProcessBuilder pb = new ProcessBuilder(args).redirectOutput(ProcessBuilder.Redirect.DISCARD);
        vars.forEach((k, v) -> pb.environment().put("D2R2_" + k.toUpperCase(Locale.ROOT), v));
        a.params().forEach((k, v) -> pb.environment().put("D2R2_PARAM_" + k.toUpperCase(Locale.ROOT).replace('-', '_'), v));
        Process p;
        try {
            p = pb.start();
        } catch (IOException e) {
            throw ActuatorException.failed("cannot run " + args.getFirst() + ": " + e.getMessage());
        }
        try {
            try (OutputStream in = p.getOutputStream()) {
                in.write(call.toJson().getBytes(StandardCharsets.UTF_8));
            } catch (IOException ignored) {
                // the program need not read its stdin
            }
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                throw ActuatorException.failed(args.getFirst() + " did not finish within " + timeout.toMillis() + " ms");
            }
            int code = p.exitValue();
            if (code == 0) {
                return;
            }
            String err = new String(p.getErrorStream().readNBytes(4096), StandardCharsets.UTF_8).strip();
            String why = args.getFirst() + " exited with " + code + (err.isEmpty() ? "" : ": " + err.lines().findFirst().orElse(""));
            throw code == 2 ? ActuatorException.refused(why) : ActuatorException.failed(why);
        } catch (IOException e) {
            throw ActuatorException.failed(args.getFirst() + ": " + e.getMessage());
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw ActuatorException.failed(args.getFirst() + ": interrupted");
        }
    }

    public static final class Kind implements ActuatorKind {
        @Override
        public String key() {
            return "command";
        }

        @Override
        public void validate(ActuatorConfig config) {
            Options.refuseUnused(config, key(), false, true);
            if (config.command().isEmpty()) {
                throw new InvalidAt("a command actuator needs a command: [program, arguments...]", "kind");
            }
            for (int i = 0; i < config.command().size(); i++) {
                try {
                    Template.parse(config.command().get(i), VARIABLES);
                } catch (IllegalArgumentException e) {
                    throw new InvalidAt(e.getMessage(), "command", i);
                }
            }
        }

        @Override
        public Actuator create(String name, ActuatorConfig config) {
            return new CommandActuator(config);
        }
    }
}
