// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @notice The terms an author chooses for one edition. They become the clone's immutable arguments,
///         so they also determine the edition's address.
/// @dev Field order follows the ABI the app encodes; the packed layout is defined in {EditionArgs}.
struct EditionParams {
    /// @dev ERC-721 name, at most 255 bytes.
    string name;
    /// @dev ERC-721 symbol, at most 255 bytes.
    string symbol;
    /// @dev Raw 32-byte Arweave transaction id of the essay (the base64url id decoded).
    bytes32 contentId;
    /// @dev Raw 32-byte Arweave transaction id of the JSON metadata shared by every token.
    bytes32 metadataId;
    /// @dev Price of one token in wei; 0 makes a free edition.
    uint96 price;
    /// @dev Initial supply limit; 0 means open.
    uint64 limit;
    /// @dev Receives the proceeds (minus the platform fee) and the EIP-2981 royalty.
    address fundingRecipient;
    /// @dev EIP-2981 royalty in basis points, at most 10,000.
    uint16 royaltyBps;
    /// @dev The highest platform fee the author accepts, in basis points. The edition takes the lower of
    ///      this and the factory's fee at creation (see {WritingEditionsFactory-create}).
    uint16 feeBps;
    /// @dev Share of each sale, in basis points, credited to a collector's referrer; 0 turns referral
    ///      rewards off. At most 5,000.
    uint16 referralBps;
    /// @dev A second payee fixed at creation (a publication the entry appears in), or the zero address
    ///      for none. It alone can move its share to another address ({WritingEditions-setSplitRecipient}).
    address splitRecipient;
    /// @dev The split recipient's share of the proceeds after the platform fee, in basis points: 0 with
    ///      no split recipient, 1 to 10,000 with one (10,000: everything goes to it).
    uint16 splitBps;
}

/// @title EditionArgs
/// @author Permanent Press
/// @notice Packs edition terms into a clone's immutable arguments and reads them back.
/// @dev Layout (byte offsets into the arguments, which start right after the 45-byte EIP-1167 proxy):
///        0 author (20) | 20 fundingRecipient (20) | 40 price (12) | 52 limit (8) | 60 royaltyBps (2)
///       | 62 feeBps (2) | 64 referralBps (2) | 66 contentId (32) | 98 metadataId (32)
///       | 130 name length (1) | name | symbol length (1) | symbol [| splitRecipient (20) | splitBps (2)].
///      The 32 bytes from offset 40 hold every number a sale needs, so a purchase reads them with one
///      EXTCODECOPY of the clone's own (warm) code. The split comes last and only when the terms have
///      one: an edition without it has the same code, and costs the same to create, as before splits.
library EditionArgs {
    uint256 internal constant PROXY_CODE_SIZE = 0x2d;
    uint256 internal constant AUTHOR = 0;
    uint256 internal constant FUNDING_RECIPIENT = 20;
    uint256 internal constant TERMS = 40;
    uint256 internal constant CONTENT_ID = 66;
    uint256 internal constant METADATA_ID = 98;
    uint256 internal constant NAME = 130;
    uint256 internal constant MAX_STRING_LENGTH = 255;
    uint256 internal constant MAX_SPLIT_BPS = 10_000;

    /// @notice Thrown when a name or symbol does not fit its one-byte length prefix.
    /// @param length The rejected length in bytes.
    error NameOrSymbolTooLong(uint256 length);

    /// @notice A split names a recipient and a share from 1 to 10,000 basis points, or neither: one
    ///         encoding per terms, so one address per edition.
    /// @param splitRecipient The rejected recipient.
    /// @param splitBps The rejected share.
    error InvalidSplit(address splitRecipient, uint256 splitBps);

    /// @notice Encodes the immutable arguments of an edition.
    /// @param author The edition's owner.
    /// @param params The author's terms.
    /// @return The packed arguments.
    function encode(address author, EditionParams calldata params) internal pure returns (bytes memory) {
        // Two halves keep the stack shallow; the concatenation is the same bytes.
        bytes memory head = abi.encodePacked(
            author,
            params.fundingRecipient,
            params.price,
            params.limit,
            params.royaltyBps,
            params.feeBps,
            params.referralBps
        );
        bytes memory args = bytes.concat(
            head,
            abi.encodePacked(
                params.contentId,
                params.metadataId,
                _length(params.name),
                params.name,
                _length(params.symbol),
                params.symbol
            )
        );
        // Checked here, where the fields are read anyway: a separate check cost creation ~560 gas.
        uint16 splitBps = params.splitBps;
        address splitRecipient = params.splitRecipient;
        if (splitBps == 0) {
            if (splitRecipient != address(0)) revert InvalidSplit(splitRecipient, splitBps);
            return args;
        }
        if (splitRecipient == address(0) || splitBps > MAX_SPLIT_BPS) revert InvalidSplit(splitRecipient, splitBps);
        return bytes.concat(args, abi.encodePacked(splitRecipient, splitBps));
    }

    /// @notice Reads the split the terms fix, if any; read at withdrawal only, never on a sale.
    /// @return recipient The split recipient, or the zero address when the terms have none.
    /// @return bps Its share in basis points, or 0.
    function split() internal view returns (address recipient, uint256 bps) {
        uint256 symbolAt = NAME + 1 + uint8(word(NAME)[0]);
        uint256 splitAt = symbolAt + 1 + uint8(word(symbolAt)[0]);
        uint256 argsLength;
        // solhint-disable-next-line no-inline-assembly
        assembly ("memory-safe") {
            argsLength := sub(extcodesize(address()), PROXY_CODE_SIZE)
        }
        if (argsLength <= splitAt) return (address(0), 0);
        bytes32 packed = word(splitAt);
        return (address(bytes20(packed)), uint16(bytes2(packed << 160)));
    }

    /// @notice Reads 32 bytes of the running clone's arguments starting at `offset`.
    /// @param offset Byte offset into the arguments; bytes past the end read as zero.
    /// @return value The bytes, left-aligned.
    function word(uint256 offset) internal view returns (bytes32 value) {
        // The arguments are in the clone's code; CODECOPY would read the implementation's, which is
        // what runs under the clone's delegatecall. Solidity has no expression for this copy.
        // solhint-disable-next-line no-inline-assembly
        assembly ("memory-safe") {
            extcodecopy(address(), 0x00, add(PROXY_CODE_SIZE, offset), 0x20)
            value := mload(0x00)
        }
    }

    /// @notice Reads the address stored at `offset`.
    /// @param offset Byte offset into the arguments.
    /// @return The address.
    function addressAt(uint256 offset) internal view returns (address) {
        return address(bytes20(word(offset)));
    }

    /// @notice Reads the word holding every number a sale needs; decode it with the functions below.
    /// @return The packed terms.
    function terms() internal view returns (uint256) {
        return uint256(word(TERMS));
    }

    /// @notice Price in wei, from packed terms.
    /// @param packedTerms The result of {terms}.
    /// @return The price.
    function price(uint256 packedTerms) internal pure returns (uint256) {
        return packedTerms >> 160;
    }

    /// @notice Initial supply limit (0 = open), from packed terms.
    /// @param packedTerms The result of {terms}.
    /// @return The limit.
    function limit(uint256 packedTerms) internal pure returns (uint256) {
        return uint64(packedTerms >> 96);
    }

    /// @notice EIP-2981 royalty in basis points, from packed terms.
    /// @param packedTerms The result of {terms}.
    /// @return The royalty rate.
    function royaltyBps(uint256 packedTerms) internal pure returns (uint256) {
        return uint16(packedTerms >> 80);
    }

    /// @notice The highest platform fee the author accepted, from packed terms.
    /// @param packedTerms The result of {terms}.
    /// @return The fee rate.
    function feeBps(uint256 packedTerms) internal pure returns (uint256) {
        return uint16(packedTerms >> 64);
    }

    /// @notice Referral share in basis points, from packed terms.
    /// @param packedTerms The result of {terms}.
    /// @return The referral rate.
    function referralBps(uint256 packedTerms) internal pure returns (uint256) {
        return uint16(packedTerms >> 48);
    }

    /// @notice Reads a length-prefixed string.
    /// @param offset Byte offset of the length byte.
    /// @return value The string.
    /// @return next Offset of the byte after the string.
    function stringAt(uint256 offset) internal view returns (string memory value, uint256 next) {
        uint256 length = uint8(word(offset)[0]);
        value = new string(length);
        // solhint-disable-next-line no-inline-assembly
        assembly ("memory-safe") {
            extcodecopy(address(), add(value, 0x20), add(PROXY_CODE_SIZE, add(offset, 1)), length)
        }
        next = offset + 1 + length;
    }

    function _length(string calldata value) private pure returns (uint8) {
        uint256 length = bytes(value).length;
        if (length > MAX_STRING_LENGTH) revert NameOrSymbolTooLong(length);
        return uint8(length);
    }
}
