package dev.d2r2.app.replay;

/**
 * Input a replay cannot use: a data directory that is not a broker's, a channel the log lacks or
 * never recorded, a time range outside the log, rules that do not check. The message says which.
 */
public final class ReplayException extends Exception {
    public ReplayException(String message) {
        super(message);
    }
}
