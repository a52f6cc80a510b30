package dev.synapse.internal.env;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import org.junit.jupiter.api.Test;

class IoErrorsTest {
  @Test
  void accessDenied_whoseMessageIsOnlyThePath_readsAsPermissionDenied() {
    AccessDeniedException e = new AccessDeniedException("/m/.venv/synapse.lock");

    assertThat(e.getMessage()).isEqualTo("/m/.venv/synapse.lock");
    assertThat(IoErrors.reason(e)).isEqualTo("permission denied");
    assertThat(IoErrors.describe(e)).isEqualTo("/m/.venv/synapse.lock: permission denied");
  }

  @Test
  void reasonOfTheFileSystem_andOtherExceptions_areKept() {
    assertThat(IoErrors.reason(new FileSystemException("/f", null, "Read-only file system")))
        .isEqualTo("Read-only file system");
    assertThat(IoErrors.reason(new IOException("No space left on device")))
        .isEqualTo("No space left on device");
  }
}
