package io.switchboard.provider.http;

import io.switchboard.provider.HttpClientFactory;
import io.switchboard.provider.HttpClientSettings;
import org.eclipse.jetty.client.AbstractConnectionPool;
import org.eclipse.jetty.client.Destination;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.client.ProxyAuthenticationProtocolHandler;
import org.eclipse.jetty.client.WWWAuthenticationProtocolHandler;
import org.eclipse.jetty.client.transport.HttpClientTransportOverHTTP;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.ArrayByteBufferPool;
import org.eclipse.jetty.io.ClientConnector;
import org.eclipse.jetty.util.component.ContainerLifeCycle;
import org.eclipse.jetty.util.component.LifeCycle;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.eclipse.jetty.util.thread.Invocable;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.eclipse.jetty.util.thread.ScheduledExecutorScheduler;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Makes the non-blocking HTTP clients providers talk to their upstreams with. Each provider gets
 * its own pool of connections (its own timeouts and limits); all of them share one thread pool,
 * one timer, one buffer pool and one TLS context, so fifty providers cost no more threads than one.
 *
 * <p>A Jetty lifecycle: the application manages it, and stopping it stops every client made.
 */
public final class UpstreamClients extends ContainerLifeCycle implements HttpClientFactory {

    private static final HttpField USER_AGENT = new HttpField(HttpHeader.USER_AGENT, "switchboard");

    private final QueuedThreadPool executor;
    private final ScheduledExecutorScheduler scheduler;
    private final ArrayByteBufferPool bufferPool;
    private final SslContextFactory.Client tls;
    private final List<HttpClient> clients = new CopyOnWriteArrayList<>();
    private final OutgoingHeaders outgoing;

    public UpstreamClients(int maxThreads) {
        this(maxThreads, OutgoingHeaders.NONE);
    }

    /** @param outgoing headers every request of every client carries, taken as it is sent (trace context) */
    public UpstreamClients(int maxThreads, OutgoingHeaders outgoing) {
        this.outgoing = outgoing;
        executor = new QueuedThreadPool(maxThreads, Math.min(8, maxThreads));
        executor.setName("upstream");
        executor.setDaemon(true);
        scheduler = new ScheduledExecutorScheduler("upstream-timer", true);
        bufferPool = new ArrayByteBufferPool();
        // One TLS context for every client: each SslContextFactory reads the JDK's trust store
        // and builds an SSLContext when it starts, a few hundred milliseconds of startup per
        // provider (local runtime discovery alone makes four clients). Every client uses the
        // defaults, so they can share it. Added first, so it starts before any client.
        tls = new SslContextFactory.Client();
        addBean(tls);
        addBean(executor);
        addBean(scheduler);
    }

    @Override
    public HttpClient newClient(HttpClientSettings settings) {
        var connector = new ClientConnector();
        connector.setSelectors(1);
        connector.setSslContextFactory(tls);
        connector.unmanage(tls); // this container starts and stops it, not each client
        var transport = new HttpClientTransportOverHTTP(connector);
        // The selector thread runs the read callbacks itself instead of handing each to the pool
        // (a futex wake, a thread switch and two epoll_ctl calls per read: about 30 µs of CPU per
        // lone streamed chunk on two cores, docs/performance.md). That is safe because nothing
        // run there blocks: JsonHttpTransport moves every completion, and every stream read until
        // its relay writes without blocking, to the pool.
        transport.setInvocationType(Invocable.InvocationType.NON_BLOCKING);
        var client = new HttpClient(transport);
        client.setExecutor(executor);
        client.setScheduler(scheduler);
        client.setByteBufferPool(bufferPool);
        client.setConnectTimeout(settings.connectTimeout().toMillis());
        client.setIdleTimeout(settings.idleTimeout().toMillis());
        client.setMaxConnectionsPerDestination(settings.maxConnections());
        client.setMaxRequestsQueuedPerDestination(settings.maxQueued());
        client.setFollowRedirects(false);
        client.setUserAgentField(USER_AGENT);
        // An upstream's 401 is an answer to relay, not a challenge to answer: without this Jetty
        // fails a 401 that lacks WWW-Authenticate as a protocol violation.
        client.addEventListener(new LifeCycle.Listener() {
            @Override
            public void lifeCycleStarted(LifeCycle event) {
                client.getProtocolHandlers().remove(WWWAuthenticationProtocolHandler.NAME);
                client.getProtocolHandlers().remove(ProxyAuthenticationProtocolHandler.NAME);
            }
        });
        if (outgoing != OutgoingHeaders.NONE) {
            // Jetty tells a request's queued listeners on the thread that sends it, before anything
            // is written: the sender's context is the one to propagate.
            client.getRequestListeners()
                    .addQueuedListener(request ->
                            outgoing.addTo((name, value) -> request.headers(headers -> headers.put(name, value))));
        }
        addBean(client, true);
        clients.add(client);
        try {
            // A client made after start must run now; one made before starts with the container.
            if (isStarted() && !client.isStarted()) {
                client.start();
            }
        } catch (Exception e) {
            throw new IllegalStateException("Cannot start an upstream HTTP client", e);
        }
        return client;
    }

    /** Every client made so far, for gauges of their pools. */
    public List<HttpClient> clients() {
        return List.copyOf(clients);
    }

    /** The connections of every pool, by upstream origin (scheme://host:port): active and idle. */
    public Map<String, PoolStats> pools() {
        var pools = new TreeMap<String, PoolStats>();
        for (HttpClient client : clients) {
            for (Destination destination : client.getDestinations()) {
                if (destination.getConnectionPool() instanceof AbstractConnectionPool pool) {
                    var origin = destination.getOrigin();
                    String key =
                            origin.getScheme() + "://" + origin.getAddress().getHost() + ":"
                                    + origin.getAddress().getPort();
                    pools.merge(
                            key,
                            new PoolStats(pool.getActiveConnectionCount(), pool.getIdleConnectionCount()),
                            (a, b) -> new PoolStats(a.active() + b.active(), a.idle() + b.idle()));
                }
            }
        }
        return pools;
    }

    /** Connections of one pool: lent out to a request, or waiting for one. */
    public record PoolStats(int active, int idle) {}

    public QueuedThreadPool executor() {
        return executor;
    }
}
