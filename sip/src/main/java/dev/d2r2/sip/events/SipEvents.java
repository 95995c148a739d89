package dev.d2r2.sip.events;

import dev.d2r2.core.events.EventCatalogue;
import dev.d2r2.core.events.EventType;

import java.util.List;

import static dev.d2r2.core.events.Attribute.optional;
import static dev.d2r2.core.events.Attribute.required;

/** Every event type the SIP edge and servers publish or accept. */
public final class SipEvents implements EventCatalogue {
    public static final EventType EDGE_BACKEND = new EventType("sip.edge.backend", EventType.Kind.STATE, "lb (sip edge)",
            "the edge's telemetry channel (edge.telemetry)", "the backend's host:port",
            List.of(required(SipKeys.WHY, String.class, "what caused the change"),
                    required(SipKeys.DIALOGS, Long.class, "the backend's active dialogs")),
            "A backend changed: added, removed, weight, draining, drained (its last dialog ended), moved (to its id, from"
                    + " the old one, as `why` says), down or up (health). "
                    + "`from` is set for down, up and drained.",
            "{\"type\":\"sip.edge.backend\",\"time\":1000,\"source\":\"127.0.0.1:5071\",\"from\":\"up\",\"to\":\"down\","
                    + "\"attrs\":{\"why\":\"3 answers 503 in a row\",\"dialogs\":12}}");

    public static final EventType EDGE_TRAFFIC = new EventType("sip.edge.traffic", EventType.Kind.MESSAGE, "lb (sip edge)",
            "the edge's telemetry channel (edge.telemetry)", "edge",
            List.of(required(SipKeys.IN, Double.class, "requests in from outside per second"),
                    optional("in.INVITE", Double.class, "INVITEs in per second (likewise in.REGISTER, in.ACK, in.BYE, in.CANCEL, in.OPTIONS, in.other)"),
                    optional("in.REGISTER", Double.class, "REGISTERs in per second"),
                    optional("in.ACK", Double.class, "ACKs in per second"),
                    optional("in.BYE", Double.class, "BYEs in per second"),
                    optional("in.CANCEL", Double.class, "CANCELs in per second"),
                    optional("in.OPTIONS", Double.class, "OPTIONS in per second"),
                    optional("in.other", Double.class, "other requests in per second"),
                    required(SipKeys.OUT, Double.class, "responses out per second (forwarded or answered by the edge)"),
                    optional("out.1xx", Double.class, "1xx responses out per second (likewise out.2xx to out.6xx)"),
                    optional("out.2xx", Double.class, "2xx responses out per second"),
                    optional("out.3xx", Double.class, "3xx responses out per second"),
                    optional("out.4xx", Double.class, "4xx responses out per second"),
                    optional("out.5xx", Double.class, "5xx responses out per second"),
                    optional("out.6xx", Double.class, "6xx responses out per second"),
                    required(SipKeys.DROPPED, Double.class, "requests dropped per second (malformed, blocked, rate-limited)"),
                    required(SipKeys.DIALOGS, Long.class, "active dialogs; `dialogs.<backend>` gives each backend's"),
                    required(SipKeys.SOURCES, Long.class, "distinct sources seen in the window (at most 256 tracked)"),
                    required(SipKeys.SUSPECTS, Long.class, "sources currently suspect (see sip.source_rate)")),
            "What the edge saw in its last telemetry window (100 ms), as rates per second.",
            "{\"type\":\"sip.edge.traffic\",\"time\":1000,\"source\":\"edge\",\"attrs\":{\"in\":210.0,\"in.INVITE\":100.0,"
                    + "\"out\":205.0,\"out.2xx\":100.0,\"dropped\":0.0,\"dialogs\":42,\"sources\":3,\"suspects\":0}}");

    public static final EventType EDGE_SOURCE = new EventType("sip.edge.source", EventType.Kind.MESSAGE, "lb (sip edge)",
            "the edge's telemetry channel (edge.telemetry)", "the source's IP address",
            List.of(required(SipKeys.RATE, Double.class, "the source's requests per second"),
                    required(SipKeys.INVITE_RATE, Double.class, "the source's INVITEs per second"),
                    required(SipKeys.ERROR, Double.class, "the Space-Saving sketch's overestimate bound, per second")),
            "One of the ten heaviest sources of the last telemetry window.",
            "{\"type\":\"sip.edge.source\",\"time\":1000,\"source\":\"127.1.1.9\",\"attrs\":{\"rate\":500.0,\"invite_rate\":500.0,\"error\":0.0}}");

    public static final EventType SOURCE_RATE = new EventType("sip.source_rate", EventType.Kind.STATE, "lb (sip edge)",
            "the edge's telemetry channel (edge.telemetry)", "edge",
            List.of(required(SipKeys.SRC, String.class, "the source's IP address"),
                    required(SipKeys.INVITE_RATE, Double.class, "its INVITEs per second over the last two windows")),
            "A source turned suspect (`to` high: it reached the suspect rate of INVITEs) or back to normal "
                    + "(under half the rate for a second), as Kamailio's pike module flags them.",
            "{\"type\":\"sip.source_rate\",\"time\":1000,\"source\":\"edge\",\"from\":\"normal\",\"to\":\"high\","
                    + "\"attrs\":{\"src\":\"127.1.1.9\",\"invite_rate\":480.0}}");

    public static final EventType EDGE_COMMAND = new EventType("sip.edge.command", EventType.Kind.MESSAGE, "operator (accepted by lb)",
            "the edge's command channel (edge.commands)", "whoever sends it",
            List.of(required(SipKeys.OP, String.class, "add, remove, drain or move"),
                    optional(SipKeys.ADDRESS, String.class, "add: the backend's host:port; move: where it serves now"),
                    optional(SipKeys.WEIGHT, Double.class, "add: its capacity weight (default 1)"),
                    optional(SipKeys.BACKEND, String.class, "remove, drain, move: the backend's id (host:port)")),
            "A command to the edge: add (or re-weight) a backend, remove one at once, drain one, or move one to the"
                    + " address a live migration took it to (its dialogs follow; a migration host sends it when a server"
                    + " arrives at another address). A command that cannot be carried out is logged and counted.",
            "{\"type\":\"sip.edge.command\",\"time\":1000,\"source\":\"ops\",\"attrs\":{\"op\":\"drain\",\"backend\":\"127.0.0.1:5071\"}}");

    public static final EventType SERVER_DIALOG = new EventType("sip.server.dialog", EventType.Kind.MESSAGE, "sip-server",
            "the servers' dialogs channel (--dialogs)", "the server's name",
            List.of(required(SipKeys.OP, String.class, "start (the call's ACK came) or end (its BYE)"),
                    required(SipKeys.CALL, String.class, "the Call-ID")),
            "A server's confirmed call or its end; every server applies every server's as replicas, so any can end a call.",
            "{\"type\":\"sip.server.dialog\",\"time\":1000,\"source\":\"s1\",\"attrs\":{\"op\":\"start\",\"call\":\"a84b4c76e66710\"}}");

    private static final List<EventType> TYPES = List.of(EDGE_BACKEND, EDGE_TRAFFIC, EDGE_SOURCE, SOURCE_RATE, EDGE_COMMAND,
            SERVER_DIALOG);

    @Override
    public String module() {
        return "sip";
    }

    @Override
    public List<EventType> types() {
        return TYPES;
    }
}
