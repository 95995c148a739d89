package dev.d2r2.cluster.raft;

import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.server.RaftServerConfigKeys;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** The election settings a replica runs with: what bounds a failover after the leader dies. */
class RaftSettingsTest {
    @TempDir
    Path dir;

    private RaftProperties properties() {
        return RaftSettings.BROKER.serverProperties(new InetSocketAddress("127.0.0.1", 0), dir);
    }

    @Test
    void electionsStartAfter150To300MsWithoutTheLeader() {
        RaftProperties p = properties();
        assertThat(RaftServerConfigKeys.Rpc.timeoutMin(p).toLong(TimeUnit.MILLISECONDS)).isEqualTo(150);
        assertThat(RaftServerConfigKeys.Rpc.timeoutMax(p).toLong(TimeUnit.MILLISECONDS)).isEqualTo(300);
        assertThat(RaftServerConfigKeys.LeaderElection.preVote(p)).isTrue();
    }

    @Test
    void aLeaderThatSteppedDownStandsAgainAfterTwoElectionTimeoutsNotTenSeconds() {
        RaftProperties p = properties();
        long wait = RaftServerConfigKeys.LeaderElection.leaderStepDownWaitTime(p).toLong(TimeUnit.MILLISECONDS);
        long maxTimeout = RaftServerConfigKeys.Rpc.timeoutMax(p).toLong(TimeUnit.MILLISECONDS);
        assertThat(wait).isEqualTo(2 * maxTimeout);
    }
}
