"""qderive.derivations"""
