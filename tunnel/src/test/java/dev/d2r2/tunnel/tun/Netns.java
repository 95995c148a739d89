package dev.d2r2.tunnel.tun;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;

/**
 * Test network namespaces: created with {@code ip netns add}, removed on {@link #close()}, and a
 * thread inside each ({@code setns(2)} moves one thread only), so a test can open sockets and TUN
 * devices in the namespace from this JVM.
 */
public final class Netns implements AutoCloseable {
    private static final int CLONE_NEWNET = 0x40000000;
    private static final Linker LINKER = Linker.nativeLinker();
    private static final MethodHandle OPEN = LINKER.downcallHandle(LINKER.defaultLookup().find("open").orElseThrow(),
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT), Linker.Option.firstVariadicArg(2));
    private static final MethodHandle SETNS = LINKER.downcallHandle(LINKER.defaultLookup().find("setns").orElseThrow(),
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
    private static final MethodHandle CLOSE = LINKER.downcallHandle(LINKER.defaultLookup().find("close").orElseThrow(),
            FunctionDescriptor.of(JAVA_INT, JAVA_INT));

    private final String name;
    private final ExecutorService inside;

    private Netns(String name) {
        this.name = name;
        this.inside = Executors.newSingleThreadExecutor(r -> Thread.ofPlatform().name("netns-" + name).daemon().unstarted(r));
    }

    /** Creates namespace {@code name} (removing a leftover of that name first) with its loopback up. */
    public static Netns create(String name) throws Exception {
        removeQuietly(name);
        IpCommand.run("netns", "add", name);
        Netns ns = new Netns(name);
        try {
            IpCommand.run("-n", name, "link", "set", "lo", "up");
            ns.call(() -> {
                enter(name);
                return null;
            });
        } catch (Exception e) {
            ns.close();
            throw e;
        }
        return ns;
    }

    private static void enter(String name) throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            int fd = (int) OPEN.invokeExact(arena.allocateFrom("/var/run/netns/" + name), 0, 0);
            if (fd < 0) {
                throw new IOException("cannot open namespace " + name);
            }
            int rc = (int) SETNS.invokeExact(fd, CLONE_NEWNET);
            int ignored = (int) CLOSE.invokeExact(fd);
            if (rc != 0 || ignored != 0) {
                throw new IOException("setns " + name + " failed");
            }
        } catch (IOException e) {
            throw e;
        } catch (Throwable t) {
            throw new IOException("setns " + name + ": " + t, t);
        }
    }

    /** Runs {@code task} on this namespace's thread and returns its result. */
    public <T> T call(Callable<T> task) throws Exception {
        try {
            return inside.submit(task).get();
        } catch (ExecutionException e) {
            throw e.getCause() instanceof Exception x ? x : new IllegalStateException(e.getCause());
        }
    }

    /** Starts {@code task} on a new thread inside this namespace. */
    public <T> Future<T> start(Callable<T> task) {
        ExecutorService one = Executors.newSingleThreadExecutor(r -> Thread.ofPlatform().name("netns-" + name + "-task").daemon().unstarted(r));
        Future<T> f = one.submit(() -> {
            enter(name);
            return task.call();
        });
        one.shutdown();
        return f;
    }

    /** {@code ip -n <name> args...}. */
    public void ip(String... args) throws IOException {
        List<String> all = new ArrayList<>(List.of("-n", name));
        all.addAll(List.of(args));
        IpCommand.run(all.toArray(String[]::new));
    }

    /** Runs {@code command} inside this namespace ({@code ip netns exec}) and returns its standard output; a failure is an IOException. */
    public String output(String... command) throws IOException, InterruptedException {
        List<String> all = new ArrayList<>(List.of("ip", "netns", "exec", name));
        all.addAll(List.of(command));
        Process p = new ProcessBuilder(all).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        if (p.waitFor() != 0) {
            throw new IOException(String.join(" ", command) + " failed in " + name);
        }
        return out;
    }

    public String name() {
        return name;
    }

    @Override
    public void close() {
        inside.shutdownNow();
        removeQuietly(name);
    }

    private static void removeQuietly(String name) {
        try {
            IpCommand.run("netns", "del", name);
        } catch (IOException e) {
            // absent already: nothing to remove
        }
    }
}
