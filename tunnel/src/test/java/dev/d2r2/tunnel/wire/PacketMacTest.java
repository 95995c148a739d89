package dev.d2r2.tunnel.wire;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.Size;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.ByteBuffer;
import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThat;

class PacketMacTest {
    /** The allocation-free HMAC is HMAC-SHA256: the JDK's Mac agrees on every key and message. */
    @Property(tries = 300)
    void equalsTheJdkHmacCutToSixteenBytes(@ForAll @Size(32) byte[] key, @ForAll @Size(max = 300) byte[] message) throws Exception {
        ByteBuffer buf = ByteBuffer.allocateDirect(message.length + 20 + PacketMac.TAG_BYTES);
        buf.put(3, message);
        new PacketMac(key).seal(buf, 3, 3 + message.length);
        byte[] tag = new byte[PacketMac.TAG_BYTES];
        buf.get(3 + message.length, tag);

        Mac jdk = Mac.getInstance("HmacSHA256");
        jdk.init(new SecretKeySpec(key, "HmacSHA256"));
        assertThat(tag).isEqualTo(Arrays.copyOf(jdk.doFinal(message), PacketMac.TAG_BYTES));
        assertThat(buf.position()).isZero();
    }
}
