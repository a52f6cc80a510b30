package dev.synapse;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Function;

/**
 * The future of a typed asynchronous call: it completes with the converted answer, and cancelling
 * it cancels the call in the worker, as cancelling the untyped future does. (A {@code thenApply}
 * stage would not: cancelling a dependent stage never reaches its source.)
 */
final class ConvertedFuture<T> extends CompletableFuture<T> {
  private final CompletableFuture<Object> call;

  private ConvertedFuture(CompletableFuture<Object> call) {
    this.call = call;
  }

  /**
   * A future of {@code call}'s answer converted by {@code convert}; a failed conversion fails it.
   */
  static <T> CompletableFuture<T> of(
      CompletableFuture<Object> call, Function<Object, ? extends T> convert) {
    ConvertedFuture<T> converted = new ConvertedFuture<>(call);
    call.whenComplete(
        (answer, error) -> {
          if (error != null) {
            converted.completeExceptionally(
                error instanceof CompletionException && error.getCause() != null
                    ? error.getCause()
                    : error);
            return;
          }
          try {
            converted.complete(convert.apply(answer));
          } catch (RuntimeException e) {
            converted.completeExceptionally(e);
          }
        });
    return converted;
  }

  @Override
  public boolean cancel(boolean mayInterruptIfRunning) {
    boolean cancelled = super.cancel(mayInterruptIfRunning);
    if (cancelled) {
      call.cancel(mayInterruptIfRunning);
    }
    return cancelled;
  }
}
