package dev.d2r2.cluster.events;

import dev.d2r2.cluster.command.CommandCodec;
import dev.d2r2.cluster.command.ControlCommand;
import dev.d2r2.cluster.command.MalformedCommandException;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class EventBatchTest {
    private static final EventBatch BATCH = new EventBatch("orders", 1234, List.of(new byte[]{1, 2, 3}, new byte[0], new byte[]{9}));

    @Test
    void decodesWhatItEncodes() throws Exception {
        EventBatch back = EventBatch.decode(BATCH.encode());
        assertThat(back.tag()).isEqualTo("orders");
        assertThat(back.time()).isEqualTo(1234);
        assertThat(back.envelopes()).containsExactly(new byte[]{1, 2, 3}, new byte[0], new byte[]{9});
    }

    @Test
    void isToldApartFromAControlCommand() {
        assertThat(EventBatch.isBatch(BATCH.encode())).isTrue();
        assertThat(EventBatch.isBatch(CommandCodec.encode(new ControlCommand.RevokeIdentity("alice")))).isFalse();
        assertThat(EventBatch.isBatch(new byte[0])).isFalse();
    }

    @Test
    void refusesEveryTruncationAndTrailingBytes() {
        byte[] whole = BATCH.encode();
        for (int n = 1; n < whole.length; n++) {
            byte[] cut = Arrays.copyOf(whole, n);
            assertThatThrownBy(() -> EventBatch.decode(cut)).isInstanceOf(MalformedCommandException.class)
                    .hasMessageContaining("event batch malformed");
        }
        assertThatThrownBy(() -> EventBatch.decode(Arrays.copyOf(whole, whole.length + 1)))
                .isInstanceOf(MalformedCommandException.class).hasMessageContaining("trailing");
    }

    @Test
    void refusesABadTagAndAnEmptyBatch() {
        assertThatThrownBy(() -> EventBatch.decode(new EventBatch("bad tag!", 0, List.of(new byte[1])).encode()))
                .isInstanceOf(MalformedCommandException.class);
        assertThatThrownBy(() -> EventBatch.decode(new EventBatch("t", 0, List.of()).encode()))
                .isInstanceOf(MalformedCommandException.class).hasMessageContaining("event count 0");
    }
}
