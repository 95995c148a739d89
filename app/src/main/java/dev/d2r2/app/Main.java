package dev.d2r2.app;

import dev.d2r2.app.cli.AuditCommand;
import dev.d2r2.app.cli.BridgeCommand;
import dev.d2r2.app.cli.BrokerCommand;
import dev.d2r2.app.cli.ChannelCommand;
import dev.d2r2.app.cli.ChronicleCommand;
import dev.d2r2.app.cli.CliErrors;
import dev.d2r2.app.cli.BftCommand;
import dev.d2r2.app.cli.ClusterCommand;
import dev.d2r2.app.cli.CommandGroup;
import dev.d2r2.app.cli.CosipCommand;
import dev.d2r2.app.cli.CosipCredentialCommand;
import dev.d2r2.app.cli.CosipIssuerCommand;
import dev.d2r2.app.cli.DemoCommand;
import dev.d2r2.app.cli.DiagnoseCommand;
import dev.d2r2.app.cli.EventsCommand;
import dev.d2r2.app.cli.IdentityCommand;
import dev.d2r2.app.cli.LbCommand;
import dev.d2r2.app.cli.MetricsCommand;
import dev.d2r2.app.cli.MigrateCommand;
import dev.d2r2.app.cli.ModelCommand;
import dev.d2r2.app.cli.MonitorCommand;
import dev.d2r2.app.cli.NagiosRunCommand;
import dev.d2r2.app.cli.OverlayCommand;
import dev.d2r2.app.cli.P2psipCommand;
import dev.d2r2.app.cli.PolicyCommand;
import dev.d2r2.app.cli.PublishCommand;
import dev.d2r2.app.cli.ReplayCommand;
import dev.d2r2.app.cli.RunCommand;
import dev.d2r2.app.cli.ScaleCommand;
import dev.d2r2.app.cli.SipLoadCommand;
import dev.d2r2.app.cli.SipServerCommand;
import dev.d2r2.app.cli.SubscribeCommand;
import dev.d2r2.app.cli.TakeoverCommand;
import dev.d2r2.app.cli.TestCommand;
import dev.d2r2.app.cli.TunnelCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code d2r2} command line. */
@Command(name = "d2r2", mixinStandardHelpOptions = true, version = "d2r2 0.1.0",
        description = "Defend, Detect, Remediate, Recover: keep networked services alive through faults and attacks.",
        subcommands = {DemoCommand.class, RunCommand.class, BrokerCommand.class, ClusterCommand.class, BftCommand.class, ChannelCommand.class, ChronicleCommand.class, MonitorCommand.class,
                MetricsCommand.class, DiagnoseCommand.class, PolicyCommand.class, LbCommand.class, ScaleCommand.class, SipServerCommand.class, SipLoadCommand.class, OverlayCommand.class, CosipCommand.class, CosipCredentialCommand.class, CosipIssuerCommand.class, TakeoverCommand.class, MigrateCommand.class, ModelCommand.class, P2psipCommand.class, TunnelCommand.class, AuditCommand.class, PublishCommand.class, SubscribeCommand.class, IdentityCommand.class, NagiosRunCommand.class, BridgeCommand.class, EventsCommand.class, ReplayCommand.class, TestCommand.class,
                CommandLine.HelpCommand.class})
public final class Main extends CommandGroup {
    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /** The configured command line, for the launcher and for tests. */
    public static CommandLine commandLine() {
        return new CommandLine(new Main()).setExecutionExceptionHandler(new CliErrors());
    }
}
