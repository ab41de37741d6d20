package io.switchboard.provider.anthropic;

import io.switchboard.provider.ModelInfo;

import java.util.List;

/** One page of Anthropic's model list; {@code lastId} is the cursor for the next ({@code after_id}). */
record AnthropicModelPage(List<ModelInfo> models, boolean hasMore, String lastId) {

    AnthropicModelPage {
        models = List.copyOf(models);
    }
}
