package dev.d2r2.scale.driver;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.regex.Pattern;

/**
 * A cloud's image store, reached over the link into the cloud: the process driver runs it in a
 * network namespace of its own on the cloud's bridge, and a clone's artifact is sent to it over
 * TCP (so it crosses the link's shaping), once, straight from where it is. The exchange: the
 * file's name (a plain name), its size, its bytes; the store answers {@code ok} once the file is
 * complete in its directory.
 */
public final class ImageStore {
    public static final int PORT = 7870;
    private static final Pattern PLAIN_NAME = Pattern.compile("[A-Za-z0-9._-]{1,200}");
    private static final String OK = "ok";
    private static final Duration RETRY = Duration.ofMillis(50);

    private ImageStore() {
    }

    /** {@code ImageStore ADDRESS DIR}: serves until killed, one transfer at a time. */
    public static void main(String[] args) throws IOException {
        Path dir = Path.of(args[1]);
        Files.createDirectories(dir);
        try (ServerSocket server = new ServerSocket()) {
            server.bind(new InetSocketAddress(InetAddress.getByName(args[0]), PORT));
            while (true) {
                try (Socket s = server.accept()) {
                    receive(s, dir);
                } catch (IOException e) {
                    System.err.println("image store: " + e.getMessage());
                }
            }
        }
    }

    private static void receive(Socket s, Path dir) throws IOException {
        DataInputStream in = new DataInputStream(s.getInputStream());
        String name = in.readUTF();
        long size = in.readLong();
        if (!PLAIN_NAME.matcher(name).matches() || name.startsWith(".") || size < 0) {
            throw new IOException("refused: name " + name + ", size " + size);
        }
        Path part = dir.resolve(name + ".part");
        try (OutputStream out = Files.newOutputStream(part)) {
            long copied = copy(in, out, size);
            if (copied != size) {
                throw new IOException(name + ": " + copied + " of " + size + " bytes");
            }
        }
        Files.move(part, dir.resolve(name), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        new DataOutputStream(s.getOutputStream()).writeUTF(OK);
    }

    private static long copy(InputStream in, OutputStream out, long size) throws IOException {
        byte[] buf = new byte[1 << 16];
        long left = size;
        while (left > 0) {
            int n = in.read(buf, 0, (int) Math.min(buf.length, left));
            if (n < 0) {
                break;
            }
            out.write(buf, 0, n);
            left -= n;
        }
        return size - left;
    }

    /** Sends {@code file} to the store at {@code host}, waiting up to {@code connectDeadline} for it to listen; returns once stored. */
    static void send(String host, Path file, Duration connectDeadline) throws IOException, InterruptedException {
        long end = System.nanoTime() + connectDeadline.toNanos();
        while (true) {
            try (Socket s = new Socket(host, PORT)) {
                DataOutputStream out = new DataOutputStream(s.getOutputStream());
                out.writeUTF(file.getFileName().toString());
                out.writeLong(Files.size(file));
                Files.copy(file, out);
                out.flush();
                String answer = new DataInputStream(s.getInputStream()).readUTF();
                if (!answer.equals(OK)) {
                    throw new IOException("image store at " + host + " answered " + answer);
                }
                return;
            } catch (ConnectException e) {
                if (System.nanoTime() > end) {
                    throw new IOException("no image store at " + host + ":" + PORT + " within " + connectDeadline.toMillis() + " ms", e);
                }
                Thread.sleep(RETRY);
            }
        }
    }
}
