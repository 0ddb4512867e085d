package com.neurasea.privacy;

import com.neurasea.model.SubjectRequest;
import java.util.Map;
import java.util.Set;

/**
 * What the subject receives when a request is closed: the request, the ledger record that closed
 * it with its inclusion proof against a signed checkpoint, and for an access request the export.
 *
 * @param request the closed request
 * @param record the ledger record of the closing step
 * @param proof the proof that the record is in the ledger
 * @param export for an access request, everything held on the subject as JSON; otherwise null
 * @param erased for an erasure, the categories erased by each contributor; otherwise empty
 * @param restricted for an erasure or restriction, the categories kept but restricted, with why
 */
public record RequestReceipt(SubjectRequest request, LedgerRecord record, InclusionProof proof, String export,
    Map<String, Set<String>> erased, Map<String, String> restricted) {
  /** Copies the maps. */
  public RequestReceipt {
    erased = Map.copyOf(erased);
    restricted = Map.copyOf(restricted);
  }
}
