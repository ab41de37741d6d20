package io.switchboard.resources;

import jakarta.servlet.http.HttpServletRequest;
import org.eclipse.jetty.ee10.servlet.ServletContextRequest;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.io.SocketChannelEndPoint;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.internal.HttpConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.CancelledKeyException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;

/**
 * Notices a client that leaves while its answer is still being prepared (a non-streamed call, or
 * a stream before its first chunk), so that the upstream call is aborted at once rather than
 * running, and being paid for, until the gateway's deadline.
 *
 * <p>Jetty does not read from an HTTP/1.1 connection while a request is being handled (its body
 * has been read already), so a client's FIN or reset would go unnoticed until the answer is
 * written. Jetty's own read interest cannot be used for this: a read still pending when the
 * response completes makes Jetty abort the connection, and it cannot be withdrawn. So one
 * daemon thread keeps a selector of its own, on which each watched connection's socket is
 * registered for reading from the moment its body is read until the answer begins. For an idle
 * HTTP/1.1 client, readable can only mean end-of-stream or a reset: the client left. A byte that
 * does arrive (a pipelined request) is handed back to Jetty's connection and the watch ends.
 *
 * <p>HTTP/2 and TLS connections are not read here: Jetty reads those itself, and reports a reset
 * stream or a closed connection through the request's failure listeners, which are watched too.
 */
public final class ClientWatch implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ClientWatch.class);
    /** How long the selector sleeps at most, so cancelled keys are released even when nothing happens. */
    private static final long SELECT_MILLIS = 1_000;

    private final Executor executor;
    private final Queue<Watch> toRegister = new ConcurrentLinkedQueue<>();
    private final Object startLock = new Object();
    private volatile Selector selector;
    private volatile boolean closed;

    /** @param executor where a departed client's {@code onLeave} runs (never the watching thread) */
    public ClientWatch(Executor executor) {
        this.executor = executor;
    }

    /** A watch that watches nothing: for callers with no connection to watch. */
    public static final Watch NONE = new Watch(null, null, null, () -> {});

    /**
     * Starts watching the connection {@code request} came in on. {@code onLeave} runs at most once,
     * if the client leaves before {@link Watch#stop()}. Call it only once the request's body has been
     * read to its end.
     */
    public Watch watch(HttpServletRequest request, Runnable onLeave) {
        Request core;
        try {
            core = ServletContextRequest.getServletContextRequest(request);
        } catch (RuntimeException notJetty) {
            return NONE;
        }
        if (core == null || closed) {
            return NONE;
        }
        var connection = core.getConnectionMetaData().getConnection();
        SocketChannel channel = connection instanceof HttpConnection http
                        && http.getEndPoint() instanceof SocketChannelEndPoint endPoint
                ? endPoint.getChannel()
                : null;
        var watch = new Watch(this, channel, connection, onLeave);
        // HTTP/2 resets and connections Jetty itself finds closed.
        core.addFailureListener(failure -> watch.left());
        if (channel != null) {
            toRegister.add(watch);
            selector().wakeup();
        }
        return watch;
    }

    private Selector selector() {
        Selector current = selector;
        if (current != null) {
            return current;
        }
        synchronized (startLock) {
            if (selector == null) {
                try {
                    selector = Selector.open();
                } catch (IOException e) {
                    throw new IllegalStateException("Could not open a selector to watch client connections", e);
                }
                var thread = new Thread(this::loop, "client-watch");
                thread.setDaemon(true);
                thread.start();
            }
            return selector;
        }
    }

    private void loop() {
        Selector watching = selector;
        try {
            while (!closed) {
                watching.select(SELECT_MILLIS);
                Watch next;
                while ((next = toRegister.poll()) != null) {
                    next.register(watching);
                }
                for (var key : watching.selectedKeys()) {
                    if (key.attachment() instanceof Watch watch) {
                        watch.readable(key);
                    }
                }
                watching.selectedKeys().clear();
            }
        } catch (IOException | RuntimeException e) {
            LOG.error("Watching client connections stopped; clients that leave early are noticed late", e);
        } finally {
            try {
                watching.close();
            } catch (IOException e) {
                LOG.debug("Closing the client-watch selector", e);
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        Selector current = selector;
        if (current != null) {
            current.wakeup();
        }
    }

    /** One request's watch: stopped when its answer begins, or fired when its client leaves. */
    public static final class Watch {

        private final ClientWatch owner;
        private final SocketChannel channel;
        private final Connection connection;
        private final Runnable onLeave;
        /** Guarded by this watch: once true, nothing more is read and onLeave does not run. */
        private boolean done;

        private SelectionKey key;

        private Watch(ClientWatch owner, SocketChannel channel, Connection connection, Runnable onLeave) {
            this.owner = owner;
            this.channel = channel;
            this.connection = connection;
            this.onLeave = onLeave;
        }

        /** Stops watching (the answer is about to be written); onLeave does not run after this. */
        public synchronized void stop() {
            end();
        }

        /** Runs on the watching thread. */
        private synchronized void register(Selector selector) {
            if (done) {
                return;
            }
            try {
                key = channel.register(selector, SelectionKey.OP_READ, this);
            } catch (CancelledKeyException previousWatch) {
                // The last request on this keep-alive connection cancelled its key after the
                // selector's last select: a key is deregistered only by the next one.
                try {
                    selector.selectNow();
                    key = channel.register(selector, SelectionKey.OP_READ, this);
                } catch (CancelledKeyException | IOException stillThere) {
                    LOG.debug("Not watching a connection whose earlier key is still registered", stillThere);
                }
            } catch (ClosedChannelException | IllegalArgumentException gone) {
                left();
            }
        }

        /**
         * The socket is readable: end-of-stream or a reset means the client left; a byte of a
         * pipelined request goes back to Jetty's connection, which parses it after this answer.
         * Runs on the watching thread, under this watch's lock, so that no byte is taken once
         * {@link #stop()} has returned.
         */
        private synchronized void readable(SelectionKey readyKey) {
            if (done) {
                readyKey.cancel();
                return;
            }
            var oneByte = ByteBuffer.allocate(1);
            int read;
            try {
                read = channel.read(oneByte);
            } catch (IOException reset) {
                read = -1;
            }
            if (read < 0) {
                left();
            } else if (read > 0) {
                end();
                oneByte.flip();
                ((Connection.UpgradeTo) connection).onUpgradeTo(oneByte);
            }
        }

        /** The client left: on a Jetty failure, or seen at the socket. */
        private synchronized void left() {
            if (!done) {
                end();
                owner.executor.execute(onLeave);
            }
        }

        private void end() {
            done = true;
            if (key != null) {
                key.cancel();
            }
        }
    }
}
