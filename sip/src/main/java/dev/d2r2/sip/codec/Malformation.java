package dev.d2r2.sip.codec;

/** Why bytes are not a well-framed SIP message; each is counted by the edge. */
public enum Malformation {
    /** Nothing but line breaks (a keep-alive). */
    EMPTY,
    /** The request or status line does not have its three parts separated by single spaces. */
    START_LINE,
    /** A header line without a name and a colon, or a continuation line with nothing to continue. */
    HEADER_LINE,
    /** No empty line ends the headers. */
    NO_END_OF_HEADERS,
    /** Content-Length that is not a number, negative, or given twice with different values. */
    CONTENT_LENGTH,
    /** A datagram shorter than its Content-Length says. */
    TRUNCATED_BODY,
    /** Larger than the edge accepts. */
    TOO_LARGE
}
