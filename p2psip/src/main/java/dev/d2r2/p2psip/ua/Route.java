package dev.d2r2.p2psip.ua;

import dev.d2r2.p2psip.contact.EntryPoint;
import dev.d2r2.p2psip.tunnel.Tunnel;

/**
 * The way a message to one correspondent goes: the sender's outbound tunnel (equal only to itself, so a
 * rebuilt tunnel is another route) and the callee's entry point from its contact data.
 */
public record Route(Tunnel outbound, EntryPoint entry) {
}
