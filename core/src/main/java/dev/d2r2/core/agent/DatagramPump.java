package dev.d2r2.core.agent;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiFunction;

/**
 * The receiving side of an agent's UDP socket: a platform thread that only takes each datagram
 * off the channel, copies it into the message {@code wrap} makes of it and offers that to the
 * agent's inbox. A full inbox drops the datagram and counts it (UDP may lose it anyway; the
 * socket must not back up into the kernel); a receive failure is logged on the agent's behalf
 * and the pump goes on. It ends when the channel is closed.
 */
public final class DatagramPump implements AutoCloseable {
    private final DatagramChannel channel;
    private final AtomicLong inboxFull = new AtomicLong();
    private final Thread thread;

    private DatagramPump(String name, DatagramChannel channel, int maxBytes, AgentRunner runner,
                         BiFunction<InetSocketAddress, byte[], Object> wrap) {
        this.channel = channel;
        this.thread = Thread.ofPlatform().name("d2r2-rx-" + name).daemon().start(() -> pump(name, maxBytes, runner, wrap));
    }

    /**
     * Starts pumping {@code channel} into {@code runner}'s inbox.
     *
     * @param maxBytes the largest datagram the agent accepts; a larger one arrives cut to one byte more, for the agent to refuse
     */
    public static DatagramPump start(String name, DatagramChannel channel, int maxBytes, AgentRunner runner,
                                     BiFunction<InetSocketAddress, byte[], Object> wrap) {
        return new DatagramPump(name, channel, maxBytes, runner, wrap);
    }

    private void pump(String name, int maxBytes, AgentRunner runner, BiFunction<InetSocketAddress, byte[], Object> wrap) {
        ByteBuffer buffer = ByteBuffer.allocateDirect(maxBytes + 1);
        while (channel.isOpen()) {
            try {
                buffer.clear();
                InetSocketAddress from = (InetSocketAddress) channel.receive(buffer);
                buffer.flip();
                byte[] bytes = new byte[buffer.remaining()];
                buffer.get(bytes);
                if (!runner.offer(wrap.apply(from, bytes))) {
                    inboxFull.incrementAndGet();
                }
            } catch (ClosedChannelException e) {
                return;
            } catch (IOException e) {
                runner.errors().error("receive", name + ": receive failed: " + e, null);
            }
        }
    }

    /** Datagrams dropped because the agent's inbox was full. */
    public long inboxFull() {
        return inboxFull.get();
    }

    /** Closes the channel and waits (at most 5 s) for the thread to end. */
    @Override
    public void close() throws InterruptedException {
        try {
            channel.close();
        } catch (IOException e) {
            // closing a datagram channel only fails if it is already broken; the thread ends either way
        }
        thread.join(Duration.ofSeconds(5));
    }
}
