package dev.d2r2.broker;

/** How a channel's events are protected between publisher, broker and subscribers. */
public enum Protection {
    /** Sender identification: the authenticated connection names the publisher. */
    SI,
    /** SI plus an HMAC-SHA256 per message, keyed with the publisher's secret. */
    HA,
    /** SI plus an Ed25519 signature per message by the publisher's key. */
    PKS,
    /** PKS plus the payload encrypted with AES-256-GCM under the channel's key. */
    PKE
}
