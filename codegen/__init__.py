"""qderive.codegen"""
