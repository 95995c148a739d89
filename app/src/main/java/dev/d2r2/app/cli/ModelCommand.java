package dev.d2r2.app.cli;

import dev.d2r2.p2psip.model.ChurnSimulation;
import dev.d2r2.p2psip.model.OverheadPlot;
import dev.d2r2.p2psip.model.ReplicaModel;
import dev.d2r2.p2psip.model.TunnelModel;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/** {@code d2r2 model pr2|replicas|simulate}: the seeds' reliability models (see docs/models.md). */
@Command(name = "model", mixinStandardHelpOptions = true,
        description = "The seeds' reliability models: Pr2-P2PSIP's tunnel cost, the Weibull replica count, and a churn simulation.",
        subcommands = {ModelCommand.Pr2.class, ModelCommand.Replicas.class, ModelCommand.Simulate.class})
public final class ModelCommand extends CommandGroup {
    @Command(name = "pr2", mixinStandardHelpOptions = true,
            description = "The m + pq peers a user agent needs for a target reachability (ResumeNet D3.1b App. B eqs. 12–18), for p = 0..3.")
    public static final class Pr2 implements Callable<Integer> {
        @Option(names = "--mu", split = ",", paramLabel = "µ,µ,...", defaultValue = "0.1,0.3,0.5,0.7,0.8,0.9,0.95,0.99",
                description = "Chance a peer online at a refresh is still online one period later (${DEFAULT-VALUE})")
        List<Double> mus;

        @Option(names = "--miss", defaultValue = "1e-5", description = "1 − R̄, the unreachability allowed (${DEFAULT-VALUE})")
        double miss;

        @Option(names = "--svg", paramLabel = "FILE", description = "Also draw the overhead against µ (the seed's Figure 13)")
        Path svg;

        @Override
        public Integer call() throws IOException {
            TunnelModel model = new TunnelModel(1 - miss);
            System.out.println("| µ | m0 (int / cont) | p=1 m,q → m+pq (ovh) | p=2 | p=3 | p=1/2/3 ovh cont |");
            System.out.println("|---|---|---|---|---|---|");
            for (double mu : mus) {
                int m0 = model.plainReplicas(mu);
                double c0 = model.continuousCost(mu, 0);
                StringBuilder row = new StringBuilder(String.format(Locale.ROOT, "| %s | %d / %.2f |", mu, m0, c0));
                for (int p = 1; p <= 3; p++) {
                    TunnelModel.Sizing s = model.optimum(mu, p);
                    row.append(String.format(Locale.ROOT, " %d,%d → %d (%.2f) |", s.m(), s.q(), s.cost(), (double) s.cost() / m0));
                }
                row.append(String.format(Locale.ROOT, " %.2f / %.2f / %.2f |", model.continuousCost(mu, 1) / c0,
                        model.continuousCost(mu, 2) / c0, model.continuousCost(mu, 3) / c0));
                System.out.println(row);
            }
            if (svg != null) {
                Files.writeString(svg, OverheadPlot.svg(model));
            }
            return 0;
        }
    }

    @Command(name = "replicas", mixinStandardHelpOptions = true,
            description = "Replicas needed when replica lifetimes follow the Skype supernode Weibull fit (ResumeNet D3.1c §3.2.2).")
    public static final class Replicas implements Callable<Integer> {
        @Option(names = "--target", split = ",", defaultValue = "0.999,0.99999", description = "Targets (${DEFAULT-VALUE})")
        List<Double> targets;

        @Option(names = "--horizon", defaultValue = "1.2",
                description = "How long a replica must survive, in the fit's (unstated) units (${DEFAULT-VALUE})")
        double horizon;

        @Option(names = "--scale", defaultValue = "8.84", description = "Weibull λ (${DEFAULT-VALUE})") double scale;

        @Option(names = "--shape", defaultValue = "0.52", description = "Weibull α (${DEFAULT-VALUE})") double shape;

        @Override
        public Integer call() {
            ReplicaModel model = new ReplicaModel(scale, shape);
            System.out.printf(Locale.ROOT, "a replica survives %s units with probability %.4f%n", horizon, model.survival(horizon));
            for (double target : targets) {
                int k = model.replicas(target, horizon);
                double[] range = model.horizonFor(k, target);
                System.out.printf(Locale.ROOT, "target %s: %d replicas (the same count for horizons in (%.3f, %.3f])%n",
                        target, k, range[0], range[1]);
            }
            return 0;
        }
    }

    @Command(name = "simulate", mixinStandardHelpOptions = true,
            description = "A churn simulation of Pr2-P2PSIP's optimum sizing, against the model's unreachability.")
    public static final class Simulate implements Callable<Integer> {
        @Option(names = "--mu", defaultValue = "0.8") double mu;

        @Option(names = "--p", defaultValue = "2", description = "Hops per inbound tunnel (${DEFAULT-VALUE})") int p;

        @Option(names = "--miss", defaultValue = "1e-5", description = "1 − R̄ the sizing is for (${DEFAULT-VALUE})") double miss;

        @Option(names = "--trials", defaultValue = "1000000") long trials;

        @Option(names = "--peers", defaultValue = "10000") int peers;

        @Option(names = "--agents", defaultValue = "50", description = "User agents refreshing each period (${DEFAULT-VALUE})")
        int agents;

        @Option(names = "--shape", defaultValue = "0.52", description = "Weibull shape of sessions (${DEFAULT-VALUE})") double shape;

        @Option(names = "--seed", defaultValue = "1") long seed;

        @Override
        public Integer call() {
            TunnelModel.Sizing sizing = new TunnelModel(1 - miss).optimum(mu, p);
            long start = System.nanoTime();
            ChurnSimulation.Result r = new ChurnSimulation(new ChurnSimulation.Settings(mu, sizing, shape, peers, agents, trials, seed)).run();
            System.out.printf(Locale.ROOT, "sizing p=%d m=%d q=%d (%d peers); %d trials in %.1f s%n", p, sizing.m(), sizing.q(),
                    sizing.cost(), r.trials(), (System.nanoTime() - start) / 1e9);
            System.out.printf(Locale.ROOT, "measured µ %.4f; unreachable %d → %.3g, 95 %% CI [%.3g, %.3g]; model %.3g: %s%n",
                    r.measuredMu(), r.unreachable(), r.unreachability(), r.low(), r.high(), r.predicted(),
                    r.agrees() ? "inside" : "OUTSIDE");
            return r.agrees() ? 0 : 1;
        }
    }
}
