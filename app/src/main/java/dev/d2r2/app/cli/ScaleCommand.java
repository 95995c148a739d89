package dev.d2r2.app.cli;

import dev.d2r2.core.config.ConfigException;
import dev.d2r2.scale.InstanceType;
import dev.d2r2.scale.ScaleConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code d2r2 scale check}: elastic capacity (docs/scaling.md). */
@Command(name = "scale", mixinStandardHelpOptions = true,
        description = "Elastic capacity: check instance-type files.",
        subcommands = {ScaleCommand.Check.class})
public final class ScaleCommand extends CommandGroup {

    @Command(name = "check", mixinStandardHelpOptions = true,
            description = "Check instance-type files: exit 0 when valid, 2 when not (the error on stderr as file:line:col).")
    public static final class Check implements Callable<Integer> {
        @Parameters(paramLabel = "FILE", arity = "1..*") List<Path> files;

        @Override
        public Integer call() {
            int code = 0;
            for (Path f : files) {
                try {
                    ScaleConfig c = ScaleConfig.load(f);
                    System.err.println(f + ": ok (" + c.clouds().size() + " clouds, " + c.types().size() + " types)");
                    for (Map.Entry<String, InstanceType> t : c.types().entrySet()) {
                        InstanceType type = t.getValue();
                        System.err.println("  " + t.getKey() + ": " + type.min() + "-" + type.max() + " instances in " + type.cloud()
                                + ", target " + type.target().perInstance() + " " + type.target().metric() + " each, steps of at most "
                                + type.largestStep() + ", scale-in below " + type.scaleDown().below() + " " + type.scaleDown().metric());
                    }
                } catch (ConfigException e) {
                    System.err.println(e.getMessage());
                    code = CliErrors.BAD_INPUT;
                }
            }
            return code;
        }
    }
}
