package dev.d2r2.broker.client;

import dev.d2r2.broker.BrokerException;
import dev.d2r2.broker.ErrorCode;
import dev.d2r2.broker.security.Crypto;
import dev.d2r2.broker.security.IdentityFile;
import dev.d2r2.broker.wire.FrameHandler;
import dev.d2r2.broker.wire.Frames;
import dev.d2r2.broker.wire.ProtocolException;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;

/** HELLO → CHALLENGE → AUTH → RESPONSE, before the client's threads start. */
final class ClientHandshake implements FrameHandler {
    private final IdentityFile credentials;
    private final DataOutputStream out;
    private boolean welcomed;

    private ClientHandshake(IdentityFile credentials, DataOutputStream out) {
        this.credentials = credentials;
        this.out = out;
    }

    static void perform(IdentityFile credentials, DataInputStream in, DataOutputStream out) throws IOException {
        ClientHandshake h = new ClientHandshake(credentials, out);
        Frames.writeHello(out, credentials.name());
        out.flush();
        try {
            while (!h.welcomed) {
                ByteBuffer f = Frames.read(in);
                if (f == null) {
                    throw new IOException("broker closed the connection");
                }
                Frames.decode(f, h);
            }
        } catch (ProtocolException e) {
            throw new IOException("broker spoke an unknown protocol: " + e.getMessage(), e);
        }
    }

    @Override
    public void onChallenge(byte[] nonce) throws ProtocolException {
        try {
            Frames.writeAuth(out, Crypto.authProof(credentials.secret(), nonce));
            out.flush();
        } catch (IOException e) {
            throw ClientWriter.lost(e);
        }
    }

    @Override
    public void onResponse(int request, int status, byte[] body) throws ProtocolException {
        if (request != 0 || status != 0) {
            throw new BrokerException(ErrorCode.UNAUTHENTICATED, "broker refused the handshake");
        }
        welcomed = true;
    }

    @Override
    public void onError(int code, String why) {
        throw new BrokerException(ErrorCode.of(code), why);
    }
}
