package dev.d2r2.overlay.kad;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

/** An identity alone writes its keys: forged, replayed or equivocating values are refused. */
class ValueStoreTest {
    private static final byte[] NAME = "sip:alice@example.org".getBytes(StandardCharsets.UTF_8);
    private final Identity alice = Identity.generate();
    private final Identity mallory = Identity.generate();

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void newerValuesReplaceOlderOnesAndOldOnesCannotComeBack() {
        ValueStore store = new ValueStore(10);
        SignedValue v1 = SignedValue.sign(alice, NAME, 1, bytes("10.0.0.1:5060"));
        SignedValue v2 = SignedValue.sign(alice, NAME, 2, bytes("10.0.0.2:5060"));
        assertThat(store.put(v1, 100, 50)).isEqualTo(ValueStore.Verdict.ACCEPTED);
        assertThat(store.put(v1, 200, 50)).isEqualTo(ValueStore.Verdict.REFRESHED);
        assertThat(store.put(v2, 200, 50)).isEqualTo(ValueStore.Verdict.ACCEPTED);
        assertThat(store.put(v1, 300, 50)).as("a replayed older value").isEqualTo(ValueStore.Verdict.STALE);
        SignedValue other = SignedValue.sign(alice, NAME, 2, bytes("10.6.6.6:5060"));
        assertThat(store.put(other, 300, 50)).as("another value with the same number").isEqualTo(ValueStore.Verdict.STALE);
        assertThat(store.get(v1.key(), 0).sameAs(v2)).isTrue();
        assertThat(store.get(v1.key(), 200)).as("expired").isNull();
    }

    @Test
    void anotherIdentityCannotWriteTheKey() {
        ValueStore store = new ValueStore(10);
        SignedValue real = SignedValue.sign(alice, NAME, 1, bytes("10.0.0.1:5060"));
        store.put(real, 100, 50);
        SignedValue byMallory = SignedValue.sign(mallory, NAME, 9, bytes("10.6.6.6:5060"));
        assertThat(byMallory.key()).as("her key is her own").isNotEqualTo(real.key());
        SignedValue forged = SignedValue.unverified(alice.publicKey(), NAME, 9, bytes("10.6.6.6:5060"),
                new byte[Identity.SIGNATURE_BYTES]);
        assertThat(forged.key()).isEqualTo(real.key());
        assertThat(store.put(forged, 100, 50)).isEqualTo(ValueStore.Verdict.BAD_SIGNATURE);
        assertThat(store.get(real.key(), 0).sameAs(real)).isTrue();
    }

    @Test
    void aFullStoreRefusesNewKeysButTakesUpdates() {
        ValueStore store = new ValueStore(1);
        SignedValue v1 = SignedValue.sign(alice, NAME, 1, bytes("a"));
        assertThat(store.put(v1, 100, 50)).isEqualTo(ValueStore.Verdict.ACCEPTED);
        assertThat(store.put(SignedValue.sign(mallory, NAME, 1, bytes("b")), 100, 50)).isEqualTo(ValueStore.Verdict.FULL);
        assertThat(store.put(SignedValue.sign(alice, NAME, 2, bytes("c")), 100, 50)).isEqualTo(ValueStore.Verdict.ACCEPTED);
    }
}
