package dev.d2r2.p2psip.tunnel;

import dev.d2r2.core.x509.CertificateBuilder;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyStore;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;

/**
 * How a relay's links are carried: {@link #TLS} (the seed's hop-by-hop TLS, here TLS 1.3 with a
 * self-signed P-256 certificate per relay) hides cells, link ids and cell types from an observer
 * of the underlay; {@link #TCP} leaves them visible and is for measuring the tunnel layers alone.
 */
public enum LinkSecurity {
    TCP, TLS;

    private static final String[] PROTOCOLS = {"TLSv1.3"};
    private static final int HANDSHAKE_TIMEOUT_MILLIS = 5000;

    /** The sockets of one relay: a listening socket, and outgoing connections. */
    interface Sockets {
        ServerSocket listen(InetAddress host) throws IOException;

        Socket connect(InetSocketAddress to, int timeoutMillis) throws IOException;
    }

    /** Sockets for one relay; TLS gets a fresh key and certificate. */
    Sockets sockets(String name) {
        return switch (this) {
            case TCP -> new Sockets() {
                @Override
                public ServerSocket listen(InetAddress host) throws IOException {
                    return new ServerSocket(0, 50, host);
                }

                @Override
                public Socket connect(InetSocketAddress to, int timeoutMillis) throws IOException {
                    Socket s = new Socket();
                    s.connect(to, timeoutMillis);
                    return s;
                }
            };
            case TLS -> tls(context(name));
        };
    }

    private static Sockets tls(SSLContext context) {
        return new Sockets() {
            @Override
            public ServerSocket listen(InetAddress host) throws IOException {
                SSLServerSocket s = (SSLServerSocket) context.getServerSocketFactory().createServerSocket(0, 50, host);
                s.setEnabledProtocols(PROTOCOLS);
                return s;
            }

            @Override
            public Socket connect(InetSocketAddress to, int timeoutMillis) throws IOException {
                SSLSocket s = (SSLSocket) context.getSocketFactory().createSocket();
                try {
                    s.setEnabledProtocols(PROTOCOLS);
                    s.connect(to, timeoutMillis);
                    s.setSoTimeout(HANDSHAKE_TIMEOUT_MILLIS);
                    s.startHandshake();
                    s.setSoTimeout(0);
                    return s;
                } catch (IOException e) {
                    s.close();
                    throw e;
                }
            }
        };
    }

    private static SSLContext context(String name) {
        try {
            KeyPair ec = CertificateBuilder.newKeyPair();
            Instant now = Instant.now();
            X509Certificate cert = CertificateBuilder.of("d2r2 p2psip relay " + name, ec.getPublic(),
                    now.minus(Duration.ofHours(1)), now.plus(Duration.ofDays(365))).selfSigned(ec.getPrivate());
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            char[] password = new char[0];
            store.setKeyEntry("link", ec.getPrivate(), password, new X509Certificate[]{cert});
            KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            keys.init(store, password);
            SSLContext context = SSLContext.getInstance("TLSv1.3");
            context.init(keys.getKeyManagers(), new TrustManager[]{new SelfSignedTrust()}, null);
            return context;
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException("cannot set up TLS for links: " + e, e);
        }
    }

    /**
     * Accepts a peer's certificate if it is one valid self-signed certificate: there is no
     * authority to check it against until certificates come from the authentication server.
     */
    private static final class SelfSignedTrust implements X509TrustManager {
        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            check(chain);
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            check(chain);
        }

        private static void check(X509Certificate[] chain) throws CertificateException {
            if (chain == null || chain.length != 1) {
                throw new CertificateException("a link presents exactly one self-signed certificate");
            }
            chain[0].checkValidity();
            try {
                chain[0].verify(chain[0].getPublicKey());
            } catch (GeneralSecurityException e) {
                throw new CertificateException("the link certificate is not self-signed: " + e.getMessage());
            }
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }
}
