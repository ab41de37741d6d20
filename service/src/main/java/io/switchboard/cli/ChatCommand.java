package io.switchboard.cli;

import io.dropwizard.core.Configuration;
import io.switchboard.api.ChatCompletionChunk;
import io.switchboard.api.ChatCompletionRequest;
import io.switchboard.api.ChatMessage;
import io.switchboard.api.ChunkChoice;
import io.switchboard.config.GatewaySettings;
import io.switchboard.core.GatewayCore;
import io.switchboard.provider.ProviderException;
import io.switchboard.routing.Caller;
import io.switchboard.routing.RouteStreamObserver;
import io.switchboard.routing.Target;
import net.sourceforge.argparse4j.inf.Namespace;
import net.sourceforge.argparse4j.inf.Subparser;

import java.io.PrintStream;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * {@code chat config.yml --model M "prompt"}: one streamed chat completion through the same
 * routing and executor as {@code POST /v1/chat/completions}, printing the text as it arrives.
 */
public final class ChatCommand extends GatewayCommand {

    public ChatCommand(Class<? extends Configuration> configurationClass) {
        super(
                "chat",
                "Send one chat message to a model, through the gateway's routing, and print the answer as it"
                        + " streams. Exits with 1 on an unknown model or an upstream error.",
                "java -jar service.jar chat config.yml --model echo \"Hello there\"",
                configurationClass);
    }

    @Override
    public void configure(Subparser subparser) {
        super.configure(subparser);
        subparser
                .addArgument("-m", "--model")
                .required(true)
                .help("a model id, as for the API: provider/model, a bare id or an alias");
        subparser.addArgument("prompt").nargs("+").help("the user message (several words are joined by spaces)");
    }

    @Override
    protected void run(GatewayCore core, GatewaySettings config, Namespace namespace, PrintStream out)
            throws InterruptedException {
        String model = namespace.getString("model");
        String prompt = String.join(" ", namespace.<String>getList("prompt"));
        var request = ChatCompletionRequest.of(model, List.of(ChatMessage.user(prompt)), true);
        var printer = new Printer(out);
        core.calls().streamChat(new Caller("cli", null, "chat command"), request, printer);
        // The executor ends every stream by the request timeout; the margin only guards against a bug.
        long limit = config.gateway().requestTimeout().toMilliseconds() + 10_000;
        boolean complete = false;
        try {
            printer.done.get(limit, TimeUnit.MILLISECONDS);
            complete = true;
        } catch (ExecutionException e) {
            // Worded as the API would answer it: "fake: The server had an error."
            throw e.getCause() instanceof ProviderException failure && failure.provider() != null
                    ? new CommandFailure(failure.provider() + ": " + failure.getMessage())
                    : new CommandFailure(e.getCause().getMessage());
        } catch (TimeoutException e) {
            throw new CommandFailure("No end of the stream within " + limit + " ms");
        } finally {
            // A stream cut short still ends its line, so that the error on stderr starts on its own.
            if (complete || printer.printed) {
                out.println();
            }
            out.flush();
        }
    }

    /** Prints each chunk's text as it arrives; {@link #done} completes when the stream ends. */
    private static final class Printer implements RouteStreamObserver<ChatCompletionChunk> {

        private final PrintStream out;
        final CompletableFuture<Void> done = new CompletableFuture<>();
        volatile boolean printed;

        Printer(PrintStream out) {
            this.out = out;
        }

        @Override
        public void onCommit(Target target, long upstreamNanos, int attempts) {}

        @Override
        public void onNext(ChatCompletionChunk chunk) {
            if (chunk.choices() == null) {
                return;
            }
            for (ChunkChoice choice : chunk.choices()) {
                String text = choice.delta() != null ? choice.delta().contentText() : "";
                if (!text.isEmpty()) {
                    out.print(text);
                    printed = true;
                }
            }
            out.flush();
        }

        @Override
        public void onComplete() {
            done.complete(null);
        }

        @Override
        public void onError(ProviderException error) {
            done.completeExceptionally(error);
        }
    }
}
