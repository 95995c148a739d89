package dev.d2r2.tunnel.node;

import dev.d2r2.core.Clock;
import dev.d2r2.core.agent.Agent;
import dev.d2r2.core.agent.AgentRunner;
import dev.d2r2.core.agent.DatagramPump;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.channels.DatagramChannel;
import java.util.function.BiFunction;

/**
 * An agent on its {@link AgentRunner}, fed by a {@link DatagramPump} on a bound UDP channel: what the
 * ESR and the DN failure detector run. Closing it stops the pump, then the agent.
 */
record PumpedAgent(AgentRunner runner, DatagramPump pump, InetSocketAddress address) implements AutoCloseable {
    /**
     * Starts {@code agent}, then pumps {@code channel} into it, each datagram checked by {@code parse} on the pump's
     * thread; {@code maxBytes} is the largest datagram the agent accepts.
     */
    static PumpedAgent start(String name, DatagramChannel channel, int maxBytes, Agent agent, Clock clock,
                             BiFunction<InetSocketAddress, byte[], Object> parse) throws IOException {
        AgentRunner runner = new AgentRunner(agent, 4096, clock);
        runner.start();
        DatagramPump pump = DatagramPump.start(name, channel, maxBytes, runner, parse);
        return new PumpedAgent(runner, pump, (InetSocketAddress) channel.getLocalAddress());
    }

    @Override
    public void close() throws IOException, InterruptedException {
        pump.close();
        runner.close();
    }
}
