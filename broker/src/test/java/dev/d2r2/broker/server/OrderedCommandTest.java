package dev.d2r2.broker.server;

import dev.d2r2.broker.ChannelClass;
import dev.d2r2.broker.Durability;
import dev.d2r2.broker.FaultModel;
import dev.d2r2.broker.FsyncPolicy;
import dev.d2r2.broker.Ordering;
import dev.d2r2.broker.OverflowPolicy;
import dev.d2r2.broker.Persistence;
import dev.d2r2.broker.Protection;
import dev.d2r2.broker.security.ChannelSealer;
import dev.d2r2.broker.security.Crypto;
import dev.d2r2.broker.wire.Envelope;
import dev.d2r2.broker.wire.ProtocolException;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * An ordered channel's command as a Byzantine leader may propose it: a genuine one reads back
 * as it was written, any other bytes are a {@link ProtocolException} (never another exception);
 * and the channel class that selects ordering refuses what its replicas could not check, and a
 * subscriber queue that could stall the ordering.
 */
class OrderedCommandTest {

    @Test
    void aCommandReadsBackAsWritten() throws Exception {
        Envelope e = new ChannelSealer("critical", Protection.PKS, "p0", new byte[Crypto.SECRET_BYTES],
                Crypto.newSigningKeyPair().getPrivate(), null).seal(7, 1234, "payload".getBytes(StandardCharsets.UTF_8));
        OrderedCommand c = OrderedCommand.parse(OrderedCommand.encode("critical", e));
        assertThat(c.tag()).isEqualTo("critical");
        assertThat(c.envelope().bytes()).isEqualTo(e.bytes());
        assertThat(c.envelope().sequence()).isEqualTo(7);
    }

    @Property(tries = 2000)
    void anyOtherBytesAreAProtocolError(@ForAll byte[] garbage) {
        try {
            OrderedCommand.parse(garbage);
        } catch (ProtocolException expected) {
            // refused and counted by the broker
        }
    }

    @Test
    void orderedNeedsALogASignatureAndNoBlockingQueue() {
        for (Protection p : new Protection[]{Protection.SI, Protection.HA}) {
            assertThatThrownBy(() -> ordered(Persistence.LOG, p)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("PKS or PKE");
        }
        assertThatThrownBy(() -> ordered(Persistence.NONE, Protection.PKS)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("persistence log");
        assertThat(ordered(Persistence.LOG, Protection.PKE).durability()).isEqualTo(Durability.ORDERED);
        assertThatThrownBy(() -> ordered(Persistence.LOG, Protection.PKS).withQueue(16, OverflowPolicy.BLOCK))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("overflow block");
    }

    private static ChannelClass ordered(Persistence persistence, Protection protection) {
        return new ChannelClass(Ordering.TOTAL, 5, persistence, FsyncPolicy.NEVER, 16, OverflowPolicy.DROP_OLDEST,
                FaultModel.BYZANTINE, protection, Durability.ORDERED);
    }
}
