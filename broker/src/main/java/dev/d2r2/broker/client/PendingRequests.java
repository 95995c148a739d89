package dev.d2r2.broker.client;

import dev.d2r2.broker.BrokerException;
import dev.d2r2.broker.ErrorCode;
import dev.d2r2.broker.wire.ControlCodec;
import dev.d2r2.broker.wire.ControlReply;
import dev.d2r2.broker.wire.ControlRequest;
import dev.d2r2.broker.wire.ProtocolException;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/** Control requests in flight: each waits for the RESPONSE frame with its id. */
final class PendingRequests {
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(30);

    private final ClientWriter writer;
    private final AtomicInteger ids;
    private final Map<Integer, CompletableFuture<byte[]>> pending = new ConcurrentHashMap<>();
    private volatile BrokerException failure;

    PendingRequests(ClientWriter writer, AtomicInteger ids) {
        this.writer = writer;
        this.ids = ids;
    }

    /** Sends {@code request} and waits for its reply; a refusal is thrown as the broker's BrokerException. */
    <R extends ControlReply> R call(ControlRequest request, Class<R> replyType) {
        BrokerException f = failure;
        if (f != null) {
            throw f;
        }
        int id = ids.incrementAndGet();
        CompletableFuture<byte[]> result = new CompletableFuture<>();
        pending.put(id, result);
        try {
            writer.request(id, request.op(), ControlCodec.encode(request));
            return ControlCodec.decodeReply(result.get(REQUEST_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS), replyType);
        } catch (IOException e) {
            throw ClientWriter.lost(e);
        } catch (ProtocolException e) {
            throw new BrokerException(ErrorCode.INTERNAL, "broker sent an " + e.getMessage());
        } catch (ExecutionException e) {
            throw e.getCause() instanceof BrokerException be ? be
                    : new BrokerException(ErrorCode.INTERNAL, e.getCause().toString(), e.getCause());
        } catch (TimeoutException e) {
            throw new BrokerException(ErrorCode.DISCONNECTED, request.op() + " got no answer within " + REQUEST_TIMEOUT);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BrokerException(ErrorCode.DISCONNECTED, "interrupted");
        } finally {
            pending.remove(id);
        }
    }

    /** A RESPONSE frame arrived (reader thread). */
    void answered(int id, int status, byte[] body) {
        CompletableFuture<byte[]> p = pending.get(id);
        if (p == null) {
            return;
        }
        if (status == 0) {
            p.complete(body);
        } else {
            p.completeExceptionally(new BrokerException(ErrorCode.of(status), new String(body, StandardCharsets.UTF_8)));
        }
    }

    void failAll(BrokerException e) {
        failure = e;
        pending.values().forEach(p -> p.completeExceptionally(e));
    }
}
