package dev.d2r2.scale;

import dev.d2r2.broker.BrokerClient;
import dev.d2r2.broker.BrokerException;
import dev.d2r2.broker.ChannelClass;
import dev.d2r2.broker.ChannelSpec;
import dev.d2r2.broker.ErrorCode;
import dev.d2r2.broker.security.Crypto;
import dev.d2r2.broker.security.IdentityFile;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A broker identity per cloud, with least privilege: the cloud's driver and instances publish with
 * it, and it is the only publisher of the cloud's channel ({@code SCALE.CLOUD}, e.g.
 * {@code scale.remote}). A compromised cloud holds its own identity only, so the broker refuses
 * (and counts) whatever it tries to publish on another cloud's channel, and subscribers know that
 * an event on {@code scale.remote} came from the remote cloud.
 */
public final class CloudIdentities {
    private CloudIdentities() {
    }

    /** The identity of a cloud's driver and instances: {@code SCALE-CLOUD}. */
    public static String identity(String channel, String cloud) {
        return channel + "-" + cloud;
    }

    /** The channel a cloud's events go on: {@code SCALE.CLOUD}. */
    public static String channel(String channel, String cloud) {
        return channel + "." + cloud;
    }

    /**
     * For each cloud that names an identity file: registers the identity (unless the file exists,
     * which is then kept), writes the file (mode 0600, naming the administrator's brokers), and
     * creates the cloud's channel — or resets its access lists — with that identity as its only
     * publisher and anyone registered as subscriber.
     *
     * @return the clouds whose identity was registered now
     */
    public static List<String> register(BrokerClient admin, IdentityFile adminId, ScaleConfig config, String channel, ChannelClass cls)
            throws IOException {
        List<String> registered = new ArrayList<>();
        for (Map.Entry<String, Cloud> c : config.clouds().entrySet()) {
            if (c.getValue().identity() == null) {
                continue;
            }
            String name = identity(channel, c.getKey());
            Path file = Path.of(c.getValue().identity());
            if (!Files.exists(file)) {
                KeyPair keys = Crypto.newSigningKeyPair();
                byte[] secret = admin.register(name, keys.getPublic(), false);
                new IdentityFile(name, secret, keys.getPrivate(), keys.getPublic(), "", "", adminId.replicas()).save(file);
                registered.add(c.getKey());
            }
            ChannelSpec spec = new ChannelSpec(channel(channel, c.getKey()), cls, Set.of(name), Set.of(ChannelSpec.ANYONE));
            try {
                admin.createChannel(spec);
            } catch (BrokerException e) {
                if (e.code() != ErrorCode.CHANNEL_EXISTS) {
                    throw e;
                }
                admin.alterChannel(spec);
            }
        }
        return registered;
    }
}
