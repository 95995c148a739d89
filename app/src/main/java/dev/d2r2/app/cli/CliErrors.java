package dev.d2r2.app.cli;

import dev.d2r2.broker.BrokerException;
import dev.d2r2.app.replay.ReplayException;
import dev.d2r2.core.config.ConfigException;
import picocli.CommandLine;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.ParseResult;

import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * Turns the errors a user can cause into one clear line on stderr and the conventional exit code:
 * 2 for bad input (config, arguments, refused requests), 1 for runtime failures. No stack traces.
 */
public final class CliErrors implements IExecutionExceptionHandler {
    public static final int RUNTIME_FAILURE = 1;
    public static final int BAD_INPUT = 2;

    @Override
    public int handleExecutionException(Exception e, CommandLine cmd, ParseResult parsed) {
        String name = cmd.getCommandSpec().qualifiedName();
        return switch (e) {
            case ConfigException c -> report(name, c.getMessage(), BAD_INPUT);
            case ReplayException r -> report(name, r.getMessage(), BAD_INPUT);
            case IllegalArgumentException i -> report(name, i.getMessage(), BAD_INPUT);
            case BrokerException b -> report(name, b.getMessage(), switch (b.code()) {
                case DISCONNECTED, INTERNAL -> RUNTIME_FAILURE;
                default -> BAD_INPUT;
            });
            case IOException io -> report(name, io.getMessage(), RUNTIME_FAILURE);
            case UncheckedIOException io -> report(name, io.getCause().getMessage(), RUNTIME_FAILURE);
            default -> {
                System.err.println(name + ": unexpected failure");
                e.printStackTrace(System.err);
                yield RUNTIME_FAILURE;
            }
        };
    }

    private static int report(String command, String message, int code) {
        System.err.println(command + ": " + message);
        return code;
    }
}
