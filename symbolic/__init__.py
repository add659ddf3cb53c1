"""qderive.symbolic"""
