package dev.poolwatch.server;

import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * A client on a bare socket, for what {@link java.net.http.HttpClient} will not send: slow headers and bodies,
 * malformed request lines, readers that never read.
 */
final class RawHttp implements Closeable {

    /** A parsed response; {@code complete} is false when the body ended without its length or chunked terminator. */
    record Response(int status, Map<String, String> headers, String body, boolean complete) {
        String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }
    }

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;
    private int pendingStatus;
    private Map<String, String> pendingHeaders = Map.of();

    private RawHttp(Socket socket) throws IOException {
        this.socket = socket;
        this.in = socket.getInputStream();
        this.out = socket.getOutputStream();
    }

    static RawHttp connect(URI base) throws IOException {
        return connect(base, 0);
    }

    /** With {@code receiveBuffer} > 0 the socket buffers little, so a client that does not read stalls the server. */
    static RawHttp connect(URI base, int receiveBuffer) throws IOException {
        Socket s = new Socket();
        if (receiveBuffer > 0) {
            s.setReceiveBufferSize(receiveBuffer);
        }
        s.connect(new InetSocketAddress(base.getHost(), base.getPort()), 5000);
        s.setSoTimeout(10_000);
        return new RawHttp(s);
    }

    RawHttp send(String text) throws IOException {
        out.write(text.getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
        return this;
    }

    /** Reads only the status line and headers of a response, leaving its body for {@link #body}; returns the status. */
    int status(Duration timeout) throws IOException {
        socket.setSoTimeout((int) timeout.toMillis());
        pendingStatus = statusLine();
        pendingHeaders = headers();
        return pendingStatus;
    }

    /** Reads the body of the response whose head {@link #status} read. */
    Response body(Duration timeout) throws IOException {
        socket.setSoTimeout((int) timeout.toMillis());
        return body(pendingStatus, pendingHeaders);
    }

    /** Reads one response, waiting at most {@code timeout} for each read. */
    Response read(Duration timeout) throws IOException {
        socket.setSoTimeout((int) timeout.toMillis());
        return body(statusLine(), headers());
    }

    private Response body(int status, Map<String, String> headers) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        boolean complete;
        try {
            if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
                complete = chunks(body);
            } else if (headers.containsKey("content-length")) {
                long length = Long.parseLong(headers.get("content-length"));
                byte[] b = in.readNBytes((int) length);
                body.write(b);
                complete = b.length == length;
            } else {
                body.write(in.readAllBytes());
                complete = true;
            }
        } catch (IOException e) {
            complete = false;
        }
        return new Response(status, headers, body.toString(StandardCharsets.UTF_8), complete);
    }

    private int statusLine() throws IOException {
        String statusLine = line();
        if (statusLine == null) {
            throw new IOException("connection closed before a response");
        }
        return Integer.parseInt(statusLine.split(" ")[1]);
    }

    private Map<String, String> headers() throws IOException {
        Map<String, String> headers = new LinkedHashMap<>();
        for (String l = line(); l != null && !l.isEmpty(); l = line()) {
            int colon = l.indexOf(':');
            headers.put(l.substring(0, colon).strip().toLowerCase(Locale.ROOT), l.substring(colon + 1).strip());
        }
        return headers;
    }

    private boolean chunks(ByteArrayOutputStream body) throws IOException {
        while (true) {
            String size = line();
            if (size == null) {
                return false;
            }
            int n = Integer.parseInt(size.split(";")[0].strip(), 16);
            if (n == 0) {
                return line() != null;
            }
            byte[] b = in.readNBytes(n);
            body.write(b);
            if (b.length < n || line() == null) {
                return false;
            }
        }
    }

    /** True when the server closes (or resets) the connection within {@code within}; reads and drops any data. */
    boolean closedByServer(Duration within) throws IOException {
        long deadline = System.nanoTime() + within.toNanos();
        byte[] buf = new byte[8192];
        while (System.nanoTime() < deadline) {
            socket.setSoTimeout((int) Math.max(1, Duration.ofNanos(deadline - System.nanoTime()).toMillis()));
            try {
                if (in.read(buf) < 0) {
                    return true;
                }
            } catch (SocketTimeoutException e) {
                return false;
            } catch (IOException e) {
                return true;
            }
        }
        return false;
    }

    private String line() throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        int c;
        while ((c = in.read()) >= 0) {
            if (c == '\n') {
                String s = b.toString(StandardCharsets.ISO_8859_1);
                return s.endsWith("\r") ? s.substring(0, s.length() - 1) : s;
            }
            b.write(c);
        }
        return b.size() == 0 ? null : b.toString(StandardCharsets.ISO_8859_1);
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
