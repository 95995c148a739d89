package dev.d2r2.cluster.command;

import dev.d2r2.broker.ChannelSpec;
import dev.d2r2.broker.security.Crypto;
import dev.d2r2.broker.security.Identity;

import java.util.Objects;

/**
 * A change to the broker's control plane, as an entry of the replicated log. Every replica
 * applies the same commands in the same order, so a command carries everything its effect
 * depends on: secrets and channel keys are drawn by the submitter, never by the replicas.
 * {@link CommandCodec} gives each command its one binary form.
 */
public sealed interface ControlCommand {

    /** Registers an identity; {@code publicKey} (X.509 Ed25519) is null when it signs nothing. */
    record AddIdentity(String name, byte[] secret, byte[] publicKey, boolean admin) implements ControlCommand {
        public AddIdentity {
            Identity.validateName(name);
            if (secret == null || secret.length == 0) {
                throw new IllegalArgumentException("identity " + name + " needs a secret");
            }
            if (publicKey != null) {
                Crypto.publicKey(publicKey);
            }
        }

        /** A new identity with a fresh random secret. */
        public static AddIdentity fresh(String name, byte[] publicKey, boolean admin) {
            return new AddIdentity(name, Crypto.randomBytes(Crypto.SECRET_BYTES), publicKey, admin);
        }

        @Override
        public String toString() {
            return "AddIdentity[" + name + (admin ? ", admin" : "") + (publicKey != null ? ", signs" : "") + "]";
        }
    }

    record RevokeIdentity(String name) implements ControlCommand {
        public RevokeIdentity {
            Identity.validateName(name);
        }
    }

    /** Creates a channel with its key (HMAC or AES, by protection). */
    record CreateChannel(ChannelSpec spec, byte[] key) implements ControlCommand {
        public CreateChannel {
            Objects.requireNonNull(spec, "spec");
            if (key == null || key.length == 0) {
                throw new IllegalArgumentException("channel " + spec.tag() + " needs a key");
            }
        }

        /** A new channel with a fresh random key. */
        public static CreateChannel fresh(ChannelSpec spec) {
            return new CreateChannel(spec, Crypto.randomBytes(Crypto.SECRET_BYTES));
        }

        @Override
        public String toString() {
            return "CreateChannel[" + spec + "]";
        }
    }

    /** Replaces a channel's class and rights; its key stays. */
    record AlterChannel(ChannelSpec spec) implements ControlCommand {
        public AlterChannel {
            Objects.requireNonNull(spec, "spec");
        }
    }

    record DeleteChannel(String tag) implements ControlCommand {
        public DeleteChannel {
            validateTag(tag);
        }
    }

    /** Grants {@code right} on channel {@code tag} to {@code identity} ({@value ChannelSpec#ANYONE}: everyone). */
    record Grant(String tag, Right right, String identity) implements ControlCommand {
        public Grant {
            validateTag(tag);
            Objects.requireNonNull(right, "right");
            validateGrantee(identity);
        }
    }

    record RevokeRight(String tag, Right right, String identity) implements ControlCommand {
        public RevokeRight {
            validateTag(tag);
            Objects.requireNonNull(right, "right");
            validateGrantee(identity);
        }
    }

    /** A durable subscription {@code name} of {@code identity} to channel {@code tag}. */
    record RegisterSubscription(String tag, String identity, String name) implements ControlCommand {
        public RegisterSubscription {
            validateTag(tag);
            Identity.validateName(identity);
            Identity.validateName(name);
        }
    }

    record DropSubscription(String tag, String identity, String name) implements ControlCommand {
        public DropSubscription {
            validateTag(tag);
            Identity.validateName(identity);
            Identity.validateName(name);
        }
    }

    private static void validateTag(String tag) {
        ChannelSpec.validateTag(tag);
    }

    private static void validateGrantee(String identity) {
        if (!ChannelSpec.ANYONE.equals(identity)) {
            Identity.validateName(identity);
        }
    }
}
