// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {OwnedWallet} from "./OwnedWallet.sol";

/// @title OwnedWalletFactory
/// @author Permanent Press
/// @notice Deploys OwnedWallets at CREATE2 addresses known in advance, as account factories do, so
///         tests can sign with a wallet that does not exist yet (ERC-6492).
contract OwnedWalletFactory {
    /// @notice Emitted when a wallet is deployed.
    /// @param wallet The new wallet.
    /// @param owner Its owner.
    event WalletDeployed(address indexed wallet, address indexed owner);

    /// @notice Deploys the wallet of `owner` for `salt`.
    /// @param owner The wallet's owner.
    /// @param salt Distinguishes wallets of one owner.
    /// @return wallet The deployed wallet.
    function deploy(address owner, bytes32 salt) external returns (address wallet) {
        wallet = address(new OwnedWallet{salt: salt}(owner));
        emit WalletDeployed(wallet, owner);
    }

    /// @notice The address `deploy(owner, salt)` deploys to.
    /// @param owner The wallet's owner.
    /// @param salt Distinguishes wallets of one owner.
    /// @return The wallet's address.
    function predict(address owner, bytes32 salt) external view returns (address) {
        bytes32 codeHash = keccak256(abi.encodePacked(type(OwnedWallet).creationCode, abi.encode(owner)));
        return address(uint160(uint256(keccak256(abi.encodePacked(bytes1(0xff), address(this), salt, codeHash)))));
    }
}
