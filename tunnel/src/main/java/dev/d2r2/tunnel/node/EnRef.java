package dev.d2r2.tunnel.node;

import com.fasterxml.jackson.annotation.JsonProperty;

/** One EN a DN serves by identity (its {@code ens:} list): the EN's tunnel id and its tunnel public key ({@code d2r2 tunnel pubkey}). */
public record EnRef(Integer tunnel, @JsonProperty("public-key") String publicKey) {
}
