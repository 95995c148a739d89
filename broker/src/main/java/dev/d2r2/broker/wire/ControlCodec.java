package dev.d2r2.broker.wire;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import java.io.IOException;

/**
 * The JSON bodies of REQUEST and RESPONSE frames: {@link ControlRequest}s one way,
 * {@link ControlReply}s the other (byte arrays travel as base64, absent fields are left out).
 */
public final class ControlCodec {
    private static final ObjectMapper JSON = new ObjectMapper()
            .setSerializationInclusion(JsonInclude.Include.NON_NULL)
            .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES);

    private ControlCodec() {
    }

    public static byte[] encode(ControlRequest request) {
        return write(request);
    }

    public static byte[] encode(ControlReply reply) {
        return write(reply);
    }

    /**
     * The request of {@code op} in {@code body}. Bytes that are not JSON break the protocol;
     * JSON that is not a valid request is a bad request ({@link IllegalArgumentException}, with
     * our own validation's message or a generic one, never the parser's internals).
     */
    public static ControlRequest decodeRequest(Op op, byte[] body) throws ProtocolException {
        Class<? extends ControlRequest> type = switch (op) {
            case REGISTER -> ControlRequest.Register.class;
            case CREATE_CHANNEL -> ControlRequest.CreateChannel.class;
            case ALTER_CHANNEL -> ControlRequest.AlterChannel.class;
            case LIST_CHANNELS -> ControlRequest.ListChannels.class;
            case SHOW_CHANNEL -> ControlRequest.ShowChannel.class;
            case OPEN_PUBLISHER -> ControlRequest.OpenPublisher.class;
            case CLOSE_PUBLISHER -> ControlRequest.ClosePublisher.class;
            case SUBSCRIBE -> ControlRequest.Subscribe.class;
            case UNSUBSCRIBE -> ControlRequest.Unsubscribe.class;
            case LOG_SPAN -> ControlRequest.ReadLogSpan.class;
            case DELETE_CHANNEL -> ControlRequest.DeleteChannel.class;
            case REVOKE_IDENTITY -> ControlRequest.RevokeIdentity.class;
            case SIGNED_CONTROL -> ControlRequest.SignedControl.class;
            case COPIES -> ControlRequest.Copies.class;
        };
        try {
            ControlRequest r = JSON.readValue(body, type);
            if (r == null) {
                throw new IllegalArgumentException("request " + op + " has no body");
            }
            return r;
        } catch (JsonParseException e) {
            throw new ProtocolException("request " + op + ": body is not JSON");
        } catch (IOException e) {
            throw new IllegalArgumentException(validationMessage(e, "malformed " + op + " request"));
        }
    }

    /** A reply from the broker; one that does not decode breaks the protocol. */
    public static <R extends ControlReply> R decodeReply(byte[] body, Class<R> type) throws ProtocolException {
        try {
            R r = JSON.readValue(body, type);
            if (r == null) {
                throw new ProtocolException("empty " + type.getSimpleName() + " reply");
            }
            return r;
        } catch (IOException | IllegalArgumentException e) {
            throw new ProtocolException("unreadable " + type.getSimpleName() + " reply");
        }
    }

    private static byte[] write(Object value) {
        try {
            return JSON.writeValueAsBytes(value);
        } catch (IOException e) {
            throw new IllegalStateException("cannot encode " + value.getClass().getSimpleName(), e);
        }
    }

    /** Our own validation's message (an IllegalArgumentException inside the parser's), else {@code fallback}. */
    private static String validationMessage(Throwable e, String fallback) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof IllegalArgumentException) {
                return t.getMessage();
            }
        }
        return fallback;
    }
}
