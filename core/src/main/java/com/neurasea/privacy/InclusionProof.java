package com.neurasea.privacy;

import com.neurasea.ledger.verify.SignedCheckpoint;
import java.util.List;

/**
 * Proof that an entry is in the ledger: the audit path from its leaf to the root of a signed
 * checkpoint. Anyone holding the ledger's public key can check it offline with
 * {@link com.neurasea.ledger.verify.MerkleVerifier#verifyInclusion}.
 *
 * @param index the entry's index
 * @param leafHash the entry's leaf hash, lower-case hex
 * @param treeSize the size of the tree the path leads to, the checkpoint's size
 * @param path the sibling hashes from the leaf upwards, lower-case hex
 * @param checkpoint the signed checkpoint whose root the path leads to
 */
public record InclusionProof(long index, String leafHash, long treeSize, List<String> path,
    SignedCheckpoint checkpoint) {
  /** Copies the path. */
  public InclusionProof {
    path = List.copyOf(path);
  }
}
