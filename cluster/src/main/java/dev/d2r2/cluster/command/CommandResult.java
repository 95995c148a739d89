package dev.d2r2.cluster.command;

/**
 * What applying a command did, the same on every replica: {@code applied}, or refused for
 * {@code reason} (a channel that already exists, an unknown identity...). The reply to the
 * client that submitted it, at the log {@code index} the command took.
 */
public record CommandResult(boolean applied, String message, long index) {

    public static CommandResult applied(String message) {
        return new CommandResult(true, message, 0);
    }

    public static CommandResult refused(String reason) {
        return new CommandResult(false, reason, 0);
    }

    public CommandResult at(long logIndex) {
        return new CommandResult(applied, message, logIndex);
    }

    public byte[] encode() {
        return new CanonicalWriter().bool(applied).string(message).i64(index).toByteArray();
    }

    public static CommandResult decode(byte[] bytes) throws MalformedCommandException {
        CanonicalReader r = new CanonicalReader(bytes, "command result");
        CommandResult result = new CommandResult(r.bool(), r.string(), r.i64());
        r.end();
        return result;
    }
}
