"""qderive.numeric"""
