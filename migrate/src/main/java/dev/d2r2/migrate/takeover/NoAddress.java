package dev.d2r2.migrate.takeover;

/** What a master or backup behind a NAT front holds: nothing of its own; the front steers the public address to it. */
public record NoAddress() implements ServiceAddress {
    @Override
    public void acquire() {
    }

    @Override
    public void release() {
    }

    @Override
    public String address() {
        return "none (steered by the NAT front)";
    }

    @Override
    public String iface() {
        return "-";
    }
}
