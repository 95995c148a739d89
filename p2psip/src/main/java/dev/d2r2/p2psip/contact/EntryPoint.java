package dev.d2r2.p2psip.contact;

import dev.d2r2.p2psip.tunnel.Hop;

/** One inbound tunnel as a caller reaches it: its last hop (the entry point) and the entry id α the hop gave it. */
public record EntryPoint(Hop hop, int entryId) {
}
