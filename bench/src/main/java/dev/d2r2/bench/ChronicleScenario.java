package dev.d2r2.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * A pattern written for both engines, and its stream. Streams have strictly increasing times
 * (one event per ms) so that "followed by" in Esper and time order in d2r2 mean the same.
 */
abstract class ChronicleScenario {
    abstract String name();

    abstract String chronicle();

    abstract String epl();

    abstract String[] eplColumns();

    abstract List<BenchEvent> generate(int n, long seed);

    static List<ChronicleScenario> all() {
        return List.of(new Join(), new Sequence(), new Flooding());
    }

    /** (a) Two events joined on a variable within 5 s over 100,000 distinct keys. */
    static final class Join extends ChronicleScenario {
        String name() {
            return "a-join-100k-keys";
        }

        String chronicle() {
            return "chronicle Join { event(A[k=?x], t1) event(B[k=?x], t2) t2 - t1 in [1ms, 5s] }";
        }

        String epl() {
            return "select a.id as a, b.id as b from pattern [every a=BenchEvent(`type`='A') -> "
                    + "(every b=BenchEvent(`type`='B', k=a.k)) where timer:within(5001 msec)]";
        }

        String[] eplColumns() {
            return new String[]{"a", "b"};
        }

        List<BenchEvent> generate(int n, long seed) {
            Random rnd = new Random(seed);
            List<BenchEvent> out = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                out.add(new BenchEvent(i, rnd.nextBoolean() ? "A" : "B", i + 1, "k" + rnd.nextInt(100_000), null, null));
            }
            return out;
        }
    }

    /** (b) Four events in order within 10 s, with no X between the first and the last. */
    static final class Sequence extends ChronicleScenario {
        String name() {
            return "b-four-events-noevent";
        }

        String chronicle() {
            return """
                    chronicle Seq {
                      event(A[k=?x], t1) event(B[k=?x], t2) event(C[k=?x], t3) event(D[k=?x], t4)
                      t2 > t1  t3 > t2  t4 > t3  t4 - t1 in [0, 10s]
                      noevent(X[k=?x], (t1, t4))
                    }
                    """;
        }

        String epl() {
            return "select a.id as a, b.id as b, c.id as c, d.id as d from pattern [every a=BenchEvent(`type`='A') -> "
                    + "((b=BenchEvent(`type`='B', k=a.k) -> c=BenchEvent(`type`='C', k=a.k) -> d=BenchEvent(`type`='D', k=a.k)) "
                    + "and not BenchEvent(`type`='X', k=a.k)) where timer:within(10001 msec)]";
        }

        String[] eplColumns() {
            return new String[]{"a", "b", "c", "d"};
        }

        List<BenchEvent> generate(int n, long seed) {
            Random rnd = new Random(seed);
            int active = 2000;
            List<List<String>> pending = new ArrayList<>();
            List<String> keys = new ArrayList<>();
            int[] nextKey = {0};
            for (int i = 0; i < active; i++) {
                pending.add(sequence(rnd));
                keys.add("s" + nextKey[0]++);
            }
            List<BenchEvent> out = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                int j = rnd.nextInt(active);
                if (rnd.nextInt(5) == 0) {
                    out.add(new BenchEvent(i, "N", i + 1, keys.get(j), null, null));
                    continue;
                }
                out.add(new BenchEvent(i, pending.get(j).removeFirst(), i + 1, keys.get(j), null, null));
                if (pending.get(j).isEmpty()) {
                    pending.set(j, sequence(rnd));
                    keys.set(j, "s" + nextKey[0]++);
                }
            }
            return out;
        }

        private static List<String> sequence(Random rnd) {
            List<String> s = new ArrayList<>(List.of("A", "B", "C", "D"));
            if (rnd.nextInt(10) < 3) {
                s.add(1 + rnd.nextInt(3), "X");
            }
            return s;
        }
    }

    /** (c) The flooding chronicle (ResumeNet D3.1c's e1..e5, in order) on SIP alarms of 1,000 edges. */
    static final class Flooding extends ChronicleScenario {
        private static final String[] EPISODE = {"sip.connections:critical", "sip.registrations:critical",
                "sip.ingress_rate:critical", "host.disk:warning", "sip.egress_rate:critical", "sip.connections:ok",
                "sip.registrations:ok", "sip.ingress_rate:ok", "host.disk:ok", "sip.egress_rate:ok"};

        String name() {
            return "c-sip-flooding";
        }

        String chronicle() {
            return """
                    chronicle Flood {
                      event(sip.connections[source=?edge]:(?, critical), e1)
                      event(sip.registrations[source=?edge]:(?, critical), e2)
                      event(sip.ingress_rate[source=?edge]:(?, critical), e3)
                      event(host.disk[source=?edge]:(?, warning), e4)
                      event(sip.egress_rate[source=?edge]:(?, critical), e5)
                      e2 > e1  e3 > e2  e4 > e3  e5 > e4  e5 - e1 in [0, 60s]
                      noevent(sip.ingress_rate[source=?edge]:(?, ok), (e3, e5))
                    }
                    """;
        }

        String epl() {
            String f = "BenchEvent(`type`='%s', `to`='%s', `source`=e1.`source`)";
            return "select e1.id as e1, e2.id as e2, e3.id as e3, e4.id as e4, e5.id as e5 from pattern ["
                    + "every e1=BenchEvent(`type`='sip.connections', `to`='critical') -> (e2=" + f.formatted("sip.registrations", "critical")
                    + " -> e3=" + f.formatted("sip.ingress_rate", "critical") + " -> ((e4=" + f.formatted("host.disk", "warning")
                    + " -> e5=" + f.formatted("sip.egress_rate", "critical") + ") and not " + f.formatted("sip.ingress_rate", "ok")
                    + ")) where timer:within(60001 msec)]";
        }

        String[] eplColumns() {
            return new String[]{"e1", "e2", "e3", "e4", "e5"};
        }

        /** Each edge alternates an alarm episode (sometimes calming before egress drops) and 61 s of noise. */
        List<BenchEvent> generate(int n, long seed) {
            Random rnd = new Random(seed);
            int edges = 1000;
            List<List<String>> episode = new ArrayList<>();
            long[] quietUntil = new long[edges];
            for (int e = 0; e < edges; e++) {
                episode.add(newEpisode(rnd));
                quietUntil[e] = rnd.nextInt(61_000);
            }
            // Producers name types, states and entities with the same few strings (a probe's constants).
            java.util.Map<String, String[]> split = new java.util.HashMap<>();
            String[] edgeNames = new String[edges];
            for (int e = 0; e < edges; e++) {
                edgeNames[e] = "lb-" + e;
            }
            String[] noise = {"host.cpu:warning", "host.cpu:ok", "sip.options_rtt:warning", "sip.options_rtt:ok", "host.memory:ok"};
            List<BenchEvent> out = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                long t = i + 1;
                int e = rnd.nextInt(edges);
                String alarm;
                if (t < quietUntil[e]) {
                    alarm = noise[rnd.nextInt(noise.length)];
                } else {
                    alarm = episode.get(e).removeFirst();
                    if (episode.get(e).isEmpty()) {
                        episode.set(e, newEpisode(rnd));
                        quietUntil[e] = t + 61_000;
                    }
                }
                String[] typeAndState = split.computeIfAbsent(alarm, a -> a.split(":"));
                out.add(new BenchEvent(i, typeAndState[0], t, null, edgeNames[e], typeAndState[1]));
            }
            return out;
        }

        private static List<String> newEpisode(Random rnd) {
            List<String> s = new ArrayList<>(List.of(EPISODE));
            if (rnd.nextInt(10) < 3) {
                s.remove("sip.ingress_rate:ok");
                s.add(3 + rnd.nextInt(2), "sip.ingress_rate:ok");
            }
            return s;
        }
    }
}
