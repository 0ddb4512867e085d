package com.neurasea.ledger.verify;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;

/**
 * One signed checkpoint of a {@link CheckpointExport}, with the consistency proof that links it to
 * the checkpoint before it.
 *
 * @param signed the signed checkpoint
 * @param consistencyProof the RFC 9162 consistency proof from the previous checkpoint's size to
 *     this one's (empty for the first checkpoint, or when no proof is needed); hashes are copied
 */
public record ExportedCheckpoint(SignedCheckpoint signed, List<byte[]> consistencyProof) {

  /**
   * Validates and copies the fields.
   *
   * @param signed the signed checkpoint
   * @param consistencyProof the proof from the previous checkpoint
   * @throws IllegalArgumentException if a proof hash is not {@link MerkleHashes#HASH_SIZE} bytes
   */
  public ExportedCheckpoint {
    Objects.requireNonNull(signed, "signed");
    Objects.requireNonNull(consistencyProof, "consistencyProof");
    List<byte[]> copy = new ArrayList<>(consistencyProof.size());
    for (byte[] hash : consistencyProof) {
      copy.add(MerkleHashes.copy(MerkleHashes.requireHash(hash, "consistency proof hash")));
    }
    consistencyProof = Collections.unmodifiableList(copy);
  }

  /**
   * Returns the consistency proof.
   *
   * @return a copy of the proof hashes
   */
  @Override
  public List<byte[]> consistencyProof() {
    List<byte[]> copy = new ArrayList<>(consistencyProof.size());
    consistencyProof.forEach(hash -> copy.add(hash.clone()));
    return copy;
  }
}
