package dev.d2r2.cluster.broker;

import dev.d2r2.broker.ChannelSpec;
import dev.d2r2.broker.security.Crypto;
import dev.d2r2.broker.security.Identity;
import dev.d2r2.broker.server.Broker;
import dev.d2r2.cluster.state.ControlState;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.Map;
import java.util.TreeMap;

/**
 * Brings a broker's replicated identities and channels to a {@link ControlState}: what a Raft
 * replica does after each committed command and a Byzantine one after each decided one.
 */
final class ControlMirror {
    private static final Logger LOG = LoggerFactory.getLogger(ControlMirror.class);

    private ControlMirror() {
    }

    static void apply(Broker broker, ControlState state) {
        Map<String, Identity> identities = new TreeMap<>();
        for (ControlState.IdentityEntry id : state.identities().values()) {
            identities.put(id.name(), new Identity(id.name(), id.secret().clone(),
                    id.publicKey() == null ? null : Crypto.publicKey(id.publicKey()), id.admin()));
        }
        Map<String, ChannelSpec> specs = new TreeMap<>();
        Map<String, byte[]> keys = new TreeMap<>();
        for (ControlState.ChannelEntry ch : state.channels().values()) {
            specs.put(ch.spec().tag(), ch.spec());
            keys.put(ch.spec().tag(), ch.key().clone());
        }
        try {
            broker.applyReplicated(identities, specs, keys);
        } catch (IOException | RuntimeException e) {
            LOG.error("applying the replicated control state to the broker failed; its channels may lag the cluster's", e);
        }
    }
}
