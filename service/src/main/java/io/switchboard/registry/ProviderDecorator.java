package io.switchboard.registry;

import io.switchboard.provider.Provider;

import java.util.function.Predicate;

/**
 * Wraps each provider the registry builds or finds (metrics do this from outside the adapters).
 * The registry hands the wrapper a question it can answer at any time from its latest snapshot:
 * whether the provider lists a model id, so labels stay bounded by the catalog.
 */
@FunctionalInterface
public interface ProviderDecorator {

    ProviderDecorator NONE = (provider, listsModel) -> provider;

    Provider decorate(Provider provider, Predicate<String> listsModel);
}
