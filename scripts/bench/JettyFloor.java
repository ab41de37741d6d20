import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.client.BufferingResponseListener;
import org.eclipse.jetty.client.BytesRequestContent;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.client.transport.HttpClientTransportOverHTTP;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.ClientConnector;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.Promise;
import org.eclipse.jetty.util.thread.Invocable.InvocationType;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * The floor under the gateway's request path: the same Jetty 12 server and Jetty HttpClient the
 * gateway runs on, and the same JSON step (parse the body, rewrite "model", write it), with
 * nothing else: no Jersey, no Dropwizard filters, no routing, metrics, logging or retries.
 * Whatever this costs per request, the gateway cannot cost less on this stack; the difference
 * between the two is what Jersey and the gateway's own features add. Not a product: a
 * measuring stick for scripts/bench/floor.sh.
 *
 * Usage: java -cp service/target/service.jar:DIR JettyFloor PORT UPSTREAM_URL
 */
public final class JettyFloor {
    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(args[0]);
        String upstream = args[1];
        // logback is on the classpath (service.jar) and logs everything at DEBUG without a config.
        ((ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME))
                .setLevel(ch.qos.logback.classic.Level.WARN);
        ObjectMapper json = new ObjectMapper();

        var clientConnector = new ClientConnector();
        clientConnector.setSelectors(1);
        var client = new HttpClient(new HttpClientTransportOverHTTP(clientConnector));
        client.setExecutor(new QueuedThreadPool(256, 8));
        client.setMaxConnectionsPerDestination(8192);
        client.setConnectTimeout(10_000);
        client.start();

        var server = new Server(new QueuedThreadPool(1024, 8));
        var connector = new ServerConnector(server);
        connector.setHost("127.0.0.1");
        connector.setPort(port);
        server.addConnector(connector);
        server.setHandler(new Handler.Abstract() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) {
                Content.Source.asByteArrayAsync(request, 10 << 20, Promise.Invocable.from(InvocationType.BLOCKING, (body, failure) -> {
                    if (failure != null) {
                        Response.writeError(request, response, callback, 400);
                        return;
                    }
                    byte[] rewritten;
                    try {
                        ObjectNode node = (ObjectNode) json.readTree(body);
                        node.put("model", "bench-model");
                        rewritten = json.writeValueAsBytes(node);
                    } catch (Exception e) {
                        Response.writeError(request, response, callback, 400);
                        return;
                    }
                    client.POST(upstream)
                            .headers(h -> h.put(HttpHeader.AUTHORIZATION, "Bearer bench-key"))
                            .body(new BytesRequestContent("application/json", rewritten))
                            .timeout(30, TimeUnit.SECONDS)
                            .send(new BufferingResponseListener(1 << 20) {
                                @Override
                                public void onComplete(org.eclipse.jetty.client.Result result) {
                                    if (result.isFailed()) {
                                        Response.writeError(request, response, callback, 502);
                                        return;
                                    }
                                    response.setStatus(result.getResponse().getStatus());
                                    response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
                                    response.write(true, ByteBuffer.wrap(getContent()), callback);
                                }
                            });
                }));
                return true;
            }
        });
        server.start();
        System.out.println("JettyFloor on 127.0.0.1:" + port + " -> " + upstream);
        server.join();
    }
}
