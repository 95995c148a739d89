package dev.d2r2.cluster.broker;

import dev.d2r2.broker.ErrorCode;
import dev.d2r2.cluster.command.ControlCommand;

/** The error code a client gets when the control state refused its command, the same on every replica. */
final class ControlRefusal {
    private ControlRefusal() {
    }

    static ErrorCode code(ControlCommand command, String reason) {
        return switch (command) {
            case ControlCommand.AddIdentity c -> ErrorCode.IDENTITY_EXISTS;
            case ControlCommand.CreateChannel c -> ErrorCode.CHANNEL_EXISTS;
            case ControlCommand.DeleteChannel c -> ErrorCode.UNKNOWN_CHANNEL;
            case ControlCommand.RevokeIdentity c -> ErrorCode.UNKNOWN_IDENTITY;
            default -> reason.startsWith("no channel") ? ErrorCode.UNKNOWN_CHANNEL
                    : reason.startsWith("no identity") ? ErrorCode.UNKNOWN_IDENTITY : ErrorCode.BAD_REQUEST;
        };
    }
}
