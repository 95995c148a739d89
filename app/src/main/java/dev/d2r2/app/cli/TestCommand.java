package dev.d2r2.app.cli;

import dev.d2r2.app.replay.RuleTests;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code d2r2 test rules}: rule tests as files, in the style of {@code promtool test rules}. */
@Command(name = "test", mixinStandardHelpOptions = true, description = "Test rules against files of input events and expected outputs.",
        subcommands = {TestCommand.Rules.class})
public final class TestCommand extends CommandGroup {

    @Command(name = "rules", mixinStandardHelpOptions = true,
            description = {"Run rule test files: each test's events (or a slice of a recorded log) through the thresholds,"
                    + " chronicles and policy they name, in virtual time, and its expected alarms, alerts, contexts and decisions"
                    + " compared with what came.", "Exit 0 when every test passes, 1 when one fails, 2 when a file does not check."})
    public static final class Rules implements Callable<Integer> {
        @Parameters(paramLabel = "FILE", arity = "1..*") List<Path> files;

        @Override
        public Integer call() throws Exception {
            int failed = 0;
            int passed = 0;
            for (Path f : files) {
                for (RuleTests.Verdict v : RuleTests.run(f)) {
                    if (v.passed()) {
                        passed++;
                        System.out.println("PASS " + f + ": " + v.name());
                    } else {
                        failed++;
                        System.out.println("FAIL " + f + ": " + v.name() + "\n  " + v.failure().replace("\n", "\n  "));
                    }
                }
            }
            System.out.println(passed + " passed, " + failed + " failed");
            return failed == 0 ? 0 : CliErrors.RUNTIME_FAILURE;
        }
    }
}
