package com.neurasea.privacy;

import com.neurasea.NeuraSea;
import com.neurasea.model.Caller;
import com.neurasea.model.DataSubject;
import com.neurasea.model.ErasureResult;
import com.neurasea.model.PersonalDataItem;
import com.neurasea.model.Principal;
import com.neurasea.model.RequestType;
import com.neurasea.model.SubjectRequest;
import com.neurasea.model.UserId;
import com.neurasea.spi.PersonalDataContributor;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

/**
 * A host process that starts an erasure and hangs inside its last step, to be killed with SIGKILL by
 * {@link ErasureCrashTest}. Arguments: storage adapter name, key file, user id, then settings as
 * {@code key=value}.
 */
public final class ErasureCrashChild {
  private ErasureCrashChild() {}

  public static void main(String[] args) throws Exception {
    Map<String, String> settings = new HashMap<>();
    for (int i = 3; i < args.length; i++) {
      int eq = args[i].indexOf('=');
      settings.put(args[i].substring(0, eq), args[i].substring(eq + 1));
    }
    NeuraSea platform = NeuraSea.builder().discoverAdapters().storage(args[0], settings).keyFile(Path.of(args[1]))
        .personalDataContributor(new Hanging()).build();
    Caller system = Caller.platform(Principal.system());
    DataSubjectRights rights = platform.dataSubjects();
    SubjectRequest request = rights.submit(system, new UserId(args[2]), RequestType.ERASURE, null);
    rights.verifyIdentity(system, request.id(), "test-harness");
    System.out.println("REQUEST " + request.id());
    System.out.flush();
    rights.fulfil(system, request.id());
    System.out.println("UNEXPECTEDLY FINISHED");
  }

  /** A host module whose erasure never returns in this process. */
  static final class Hanging implements PersonalDataContributor {
    @Override
    public String name() {
      return "crm";
    }

    @Override
    public List<PersonalDataItem> export(DataSubject subject) {
      return List.of();
    }

    @Override
    public Set<String> rectify(DataSubject subject, Map<String, String> corrections) {
      return Set.of();
    }

    @Override
    public ErasureResult erase(DataSubject subject, Predicate<String> keep) {
      System.out.println("HANGING");
      System.out.flush();
      try {
        Thread.sleep(Long.MAX_VALUE);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      throw new IllegalStateException("interrupted");
    }
  }
}
