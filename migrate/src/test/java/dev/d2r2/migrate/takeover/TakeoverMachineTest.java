package dev.d2r2.migrate.takeover;

import dev.d2r2.migrate.takeover.TakeoverConfig.Role;
import dev.d2r2.migrate.takeover.TakeoverMachine.Action;
import org.junit.jupiter.api.Test;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Three members (master, backup, witness) in virtual time, one millisecond a step, keepalives
 * delivered a millisecond after they are sent unless the link between two members is cut.
 */
class TakeoverMachineTest {
    private static final long PERIOD = 10;
    private static final int MISSES = 3;
    private static final int MARGIN = 3;
    private static final List<String> NAMES = List.of("master", "backup", "witness");
    private static final List<Role> ROLES = List.of(Role.master, Role.backup, Role.witness);

    private record InFlight(long at, int to, Keepalive k) {
    }

    /** The group; {@code alive[i]} false stops a member (a crash), {@code cut[i][j]} drops i → j. */
    private static final class Group {
        final TakeoverMachine[] members = new TakeoverMachine[3];
        final boolean[] alive = {true, true, true};
        final boolean[][] cut = new boolean[3][3];
        final Queue<InFlight> wire = new ArrayDeque<>();
        final List<String> log = new ArrayList<>();
        long now;
        long seq;
        int maxHolders;

        Group() {
            for (int i = 0; i < 3; i++) {
                start(i);
            }
        }

        void start(int i) {
            List<String> peers = new ArrayList<>(NAMES);
            peers.remove(i);
            members[i] = new TakeoverMachine(NAMES.get(i), ROLES.get(i), peers, PERIOD, MISSES, MARGIN, now);
            alive[i] = true;
        }

        void cutOff(int i, boolean cutNow) {
            for (int j = 0; j < 3; j++) {
                if (j != i) {
                    cut[i][j] = cutNow;
                    cut[j][i] = cutNow;
                }
            }
        }

        void run(long millis) {
            long end = now + millis;
            for (; now < end; now++) {
                for (int n = wire.size(); n > 0; n--) {
                    InFlight f = wire.poll();
                    if (f.at() > now) {
                        wire.add(f);
                    } else if (alive[f.to()]) {
                        record(f.to(), members[f.to()].onKeepalive(f.k(), now));
                    }
                }
                for (int i = 0; i < 3; i++) {
                    // members tick at different phases of the period, as separate hosts do
                    if (alive[i] && (now + 3 * i) % PERIOD == 0) {
                        Keepalive k = members[i].keepalive(++seq);
                        for (int j = 0; j < 3; j++) {
                            if (j != i && !cut[i][j]) {
                                wire.add(new InFlight(now + 1, j, k));
                            }
                        }
                        record(i, members[i].onTick(now));
                    }
                }
                maxHolders = Math.max(maxHolders, holders().size());
            }
        }

        private void record(int i, Action a) {
            if (a != Action.NONE) {
                log.add(now + " " + NAMES.get(i) + " " + a + " epoch " + members[i].ownEpoch() + ": " + members[i].reason());
            }
        }

        List<String> holders() {
            List<String> h = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                if (alive[i] && members[i].holding()) {
                    h.add(NAMES.get(i));
                }
            }
            return h;
        }
    }

    @Test
    void theMasterAcquiresAtStartAndKeepsTheAddress() {
        Group g = new Group();
        g.run(1000);
        assertThat(g.holders()).containsExactly("master");
        assertThat(g.members[0].ownEpoch()).isEqualTo(1);
        assertThat(g.log).hasSize(1);
        assertThat(g.log.getFirst()).contains("master ACQUIRE epoch 1: no holder since start");
    }

    @Test
    void theBackupTakesOverWithinMissesPlusMarginPeriodsOfTheMastersCrash() {
        Group g = new Group();
        g.run(500);
        g.alive[0] = false;
        long crash = g.now;
        g.run(MISSES * PERIOD + MARGIN * PERIOD + 2 * PERIOD);
        assertThat(g.holders()).containsExactly("backup");
        assertThat(g.members[1].ownEpoch()).isEqualTo(2);
        assertThat(g.log.getLast()).contains("backup ACQUIRE epoch 2").contains("no holder heard for");
        long acquiredAt = Long.parseLong(g.log.getLast().split(" ")[0]);
        assertThat(acquiredAt - crash).isLessThanOrEqualTo((MISSES + MARGIN + 1) * PERIOD + 1);
    }

    @Test
    void aRestartedMasterDoesNotTakeTheAddressBack() {
        Group g = new Group();
        g.run(500);
        g.alive[0] = false;
        g.run(500);
        g.start(0);
        g.run(2000);
        assertThat(g.holders()).containsExactly("backup");
        assertThat(g.maxHolders).isEqualTo(1);
    }

    @Test
    void aMasterCutFromTheOthersFencesItselfBeforeTheBackupAcquires() {
        Group g = new Group();
        g.run(500);
        g.cutOff(0, true);
        g.run(1000);
        assertThat(g.holders()).containsExactly("backup");
        assertThat(g.maxHolders).as("never two holders: %s", g.log).isEqualTo(1);
        assertThat(g.log).anySatisfy(l -> assertThat(l).contains("master RELEASE epoch 1: heard 0 of the 1 peers"));
        g.cutOff(0, false);
        g.run(1000);
        assertThat(g.holders()).containsExactly("backup");
        assertThat(g.maxHolders).isEqualTo(1);
    }

    @Test
    void aBackupCutFromTheOthersNeverAcquires() {
        Group g = new Group();
        g.run(500);
        g.cutOff(1, true);
        g.run(2000);
        assertThat(g.holders()).containsExactly("master");
        assertThat(g.maxHolders).isEqualTo(1);
    }

    @Test
    void withoutAMajorityNobodyHoldsTheAddress() {
        Group g = new Group();
        g.run(500);
        g.alive[2] = false;
        g.alive[1] = false;
        g.run(500);
        assertThat(g.holders()).isEmpty();
        assertThat(g.log.getLast()).contains("master RELEASE");
    }

    @Test
    void aOneWayCutIsSettledByTheEpoch() {
        Group g = new Group();
        g.run(500);
        g.cut[0][1] = true; // the backup no longer hears the master, which still hears everyone
        g.cut[0][2] = true;
        g.run(200);
        assertThat(g.holders()).containsExactly("backup");
        assertThat(g.log).anySatisfy(l -> assertThat(l).contains("master RELEASE epoch 1: member backup holds epoch 2, which outranks"));
    }

    @Test
    void theWitnessLeaderFollowsTheHigherEpochAndNeverGoesBackToAStaleHolder() {
        Group g = new Group();
        g.run(500);
        assertThat(g.members[2].leader()).map(Keepalive::name).contains("master");
        g.cut[0][1] = true; // the master's keepalives reach nobody: the backup takes over with epoch 2
        g.cut[0][2] = true;
        g.run(200);
        assertThat(g.members[2].leader()).map(k -> k.name() + " " + k.epoch()).contains("backup 2");
        // a late keepalive of the old holder, still claiming epoch 1 (fenced late, delayed on the wire)
        g.members[2].onKeepalive(new Keepalive("master", 2, true, 1, Long.MAX_VALUE), g.now);
        assertThat(g.members[2].leader()).map(Keepalive::name).contains("backup");
    }

    @Test
    void aWitnessNeverHoldsAndEchoesTheHighestEpoch() {
        Group g = new Group();
        g.run(500);
        g.alive[0] = false;
        g.alive[1] = false;
        g.run(1000);
        assertThat(g.holders()).isEmpty();
        assertThat(g.members[2].keepalive(1).epoch()).isEqualTo(1);
        assertThat(g.members[2].keepalive(1).holding()).isFalse();
    }

    @Test
    void aMemberThatWasNotRunningJudgesNobodyOnItsFirstLateTick() {
        TakeoverMachine m = new TakeoverMachine("master", Role.master, List.of("backup", "witness"), PERIOD, MISSES, MARGIN, 0);
        for (long t = 1; t <= 100; t += PERIOD) {
            m.onKeepalive(new Keepalive("witness", 0, false, 0, t), t);
            m.onTick(t);
        }
        assertThat(m.holding()).isTrue();
        assertThat(m.onTick(300)).as("200 ms asleep, the witness's keepalives still queued").isEqualTo(Action.NONE);
        assertThat(m.stalls()).isEqualTo(1);
        m.onKeepalive(new Keepalive("witness", 0, false, 0, 1000), 301);
        assertThat(m.onTick(310)).isEqualTo(Action.NONE);
        assertThat(m.holding()).isTrue();
        assertThat(m.onTick(320)).isEqualTo(Action.NONE);
        assertThat(m.onTick(330)).isEqualTo(Action.NONE);
        assertThat(m.onTick(340)).as("timely ticks still fence: nothing heard since 301").isEqualTo(Action.RELEASE);
    }

    @Test
    void aHolderWhoseOwnTimerFiresLateJudgesNobodyAtItsPastDeadlineUntilItHasRunForAPeriod() {
        TakeoverMachine m = new TakeoverMachine("master", Role.master, List.of("backup", "witness"), PERIOD, MISSES, MARGIN, 0);
        long seq = 0;
        for (long t = 0; t <= 100; t += PERIOD) {
            m.onKeepalive(new Keepalive("witness", 0, false, 0, ++seq), t);
            m.onTick(t);
        }
        assertThat(m.holding()).isTrue();
        assertThat(m.onTick(150)).as("50 ms asleep: a stall").isEqualTo(Action.NONE);
        assertThat(m.judgementDueMillis()).as("its release deadline (131) has passed, but it waits a period").isEqualTo(160);
        assertThat(m.onTick(151)).as("judged right after the stall, its peers not yet running again").isEqualTo(Action.NONE);
        m.onKeepalive(new Keepalive("witness", 0, false, 0, ++seq), 155);
        assertThat(m.onTick(160)).isEqualTo(Action.NONE);
        assertThat(m.holding()).isTrue();
        assertThat(m.judgementDueMillis()).isEqualTo(155 + MISSES * PERIOD + 1);
        assertThat(m.onTick(170)).isEqualTo(Action.NONE);
        assertThat(m.onTick(180)).isEqualTo(Action.NONE);
        assertThat(m.onTick(186)).as("on time again, silence fences as before").isEqualTo(Action.RELEASE);
        assertThat(m.reason()).contains("witness silent 31 ms").contains("backup never heard");
    }

    @Test
    void aFencedMasterThatRejoinsHearsTheNewHolderBeforeItMayAcquire() {
        TakeoverMachine m = new TakeoverMachine("master", Role.master, List.of("backup", "witness"), PERIOD, MISSES, MARGIN, 0);
        long seq = 0;
        long t = 1;
        for (; t <= 100; t += PERIOD) {
            m.onKeepalive(new Keepalive("witness", 0, false, 0, ++seq), t);
            m.onTick(t);
        }
        assertThat(m.holding()).isTrue();
        for (; t <= 1000; t += PERIOD) {
            m.onTick(t); // cut off: nothing heard
        }
        assertThat(m.holding()).isFalse();
        // healed: the witness's keepalive (echoing the backup's epoch 2) comes before the backup's
        for (long end = t + (MISSES + MARGIN) * PERIOD; t < end; t += PERIOD) {
            m.onKeepalive(new Keepalive("witness", 0, false, 2, ++seq), t);
            assertThat(m.onTick(t)).isEqualTo(Action.NONE);
        }
        m.onKeepalive(new Keepalive("backup", 1, true, 2, ++seq), t);
        for (long end = t + 1000; t < end; t += PERIOD) {
            m.onKeepalive(new Keepalive("witness", 0, false, 2, ++seq), t);
            m.onKeepalive(new Keepalive("backup", 1, true, 2, ++seq), t);
            assertThat(m.onTick(t)).isEqualTo(Action.NONE);
        }
    }

    @Test
    void aStandbyIsDueToAcquireMissesPlusMarginPeriodsAfterItsHoldersLastKeepaliveEvenBetweenTicks() {
        TakeoverMachine m = new TakeoverMachine("backup", Role.backup, List.of("master", "witness"), PERIOD, MISSES, MARGIN, 0);
        long seq = 0;
        long t = 0;
        for (; t <= 1000; t += PERIOD) {
            m.onKeepalive(new Keepalive("witness", 0, false, 1, ++seq), t);
            m.onKeepalive(new Keepalive("master", 2, true, 1, ++seq), t + 3); // heard between the backup's ticks
            assertThat(m.onTick(t)).isEqualTo(Action.NONE);
        }
        long lastMaster = t - PERIOD + 3;
        assertThat(m.judgementDueMillis()).isEqualTo(lastMaster + (MISSES + MARGIN) * PERIOD);
        for (; t < m.judgementDueMillis(); t += PERIOD) {
            m.onKeepalive(new Keepalive("witness", 0, false, 1, ++seq), t);
            assertThat(m.onTick(t)).isEqualTo(Action.NONE);
        }
        long due = m.judgementDueMillis();
        assertThat(m.onTick(due - 1)).as("one millisecond early").isEqualTo(Action.NONE);
        assertThat(m.onTick(due)).as("the deadline, %d ms before the next tick", t - due).isEqualTo(Action.ACQUIRE);
        assertThat(m.judgementDueMillis()).as("the new holder is due to release when the witness has been silent for misses periods")
                .isEqualTo(t - PERIOD + MISSES * PERIOD + 1);
    }

    @Test
    void aHolderIsDueToReleaseMissesPeriodsAfterItLastHeardAMajorityEvenBetweenTicks() {
        TakeoverMachine m = new TakeoverMachine("master", Role.master, List.of("backup", "witness"), PERIOD, MISSES, MARGIN, 0);
        long seq = 0;
        long t = 0;
        for (; t <= 1000; t += PERIOD) {
            m.onKeepalive(new Keepalive("witness", 0, false, 0, ++seq), t + 3);
            m.onKeepalive(new Keepalive("backup", 1, false, 0, ++seq), t + 5);
            m.onTick(t);
        }
        assertThat(m.holding()).isTrue();
        long due = m.judgementDueMillis();
        assertThat(due).as("the later of the two, the majority's last word, plus misses periods").isEqualTo(t - PERIOD + 5 + MISSES * PERIOD + 1);
        for (; t < due; t += PERIOD) {
            assertThat(m.onTick(t)).isEqualTo(Action.NONE);
        }
        assertThat(m.onTick(due - 1)).isEqualTo(Action.NONE);
        assertThat(m.onTick(due)).isEqualTo(Action.RELEASE);
        assertThat(m.judgementDueMillis()).as("no majority heard: the ticks judge").isEqualTo(Long.MAX_VALUE);
    }

    @Test
    void replaysAndStrangersAreCountedAndIgnored() {
        TakeoverMachine m = new TakeoverMachine("backup", Role.backup, List.of("master", "witness"), PERIOD, MISSES, MARGIN, 0);
        assertThat(m.onKeepalive(new Keepalive("master", 2, true, 5, 100), 1)).isEqualTo(Action.NONE);
        assertThat(m.onKeepalive(new Keepalive("master", 2, true, 9, 100), 2)).isEqualTo(Action.NONE);
        assertThat(m.onKeepalive(new Keepalive("mallory", 2, true, 9, 1), 3)).isEqualTo(Action.NONE);
        assertThat(m.replays()).isEqualTo(1);
        assertThat(m.strangers()).isEqualTo(1);
        assertThat(m.epoch()).as("the replay's epoch is not taken").isEqualTo(5);
    }
}
